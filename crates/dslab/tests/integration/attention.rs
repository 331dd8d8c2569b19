//! dslab::attention against numpy (fixtures/attention/make_fixtures.py, float64 reference).
#![cfg(feature = "attention")]

use burn::module::Param;
use burn::tensor::{Bool, Int, Tensor, TensorData};
use dslab::attention::{
    self, MultiHeadAttentionConfig, decoder_mask, head_maps, look_ahead_mask, padding_mask, positional_encoding,
    positional_encoding_concatenated, scaled_dot_product_attention, to_rows, to_vec, try_scaled_dot_product_attention,
};
use serde_json::Value;

/// burn-ndarray computes in f32; the reference is f64.
const TOL: f64 = 2e-5;

fn fixtures() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/attention/attention.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn array(v: &Value) -> (Vec<usize>, Vec<f64>) {
    let shape = v["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
    let data = v["data"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    (shape, data)
}

fn tensor<const D: usize>(v: &Value) -> Tensor<D> {
    let (shape, data) = array(v);
    let data: Vec<f32> = data.into_iter().map(|x| x as f32).collect();
    Tensor::from_data(TensorData::new(data, shape), &attention::device())
}

fn mask(v: &Value) -> Tensor<4, Bool> {
    let (shape, data) = array(v);
    let data: Vec<bool> = data.into_iter().map(|x| x != 0.0).collect();
    Tensor::from_data(TensorData::new(data, shape), &attention::device())
}

fn assert_close<const D: usize>(actual: Tensor<D>, expected: &Value, what: &str) {
    let (shape, expected) = array(expected);
    assert_eq!(actual.dims().to_vec(), shape, "{what}: shape");
    let actual = to_vec(actual);
    for (i, (a, e)) in actual.iter().zip(&expected).enumerate() {
        assert!((a - e).abs() <= TOL * e.abs().max(1.0), "{what}[{i}]: {a} vs numpy {e}");
    }
}

#[test]
fn positional_encodings_match_numpy() {
    let _rng = crate::burn_rng();
    let f = fixtures();
    let device = attention::device();
    let pe = &f["positional_encoding"];
    assert_close(positional_encoding(12, 16, &device).unwrap(), &pe["values"], "interleaved");
    let pe = &f["positional_encoding_concatenated"];
    assert_close(positional_encoding_concatenated(12, 16, &device).unwrap(), &pe["values"], "concatenated");
}

#[test]
fn softmax_matches_numpy_even_for_large_logits() {
    let _rng = crate::burn_rng();
    let f = fixtures();
    let x: Tensor<2> = tensor(&f["softmax"]["input"]);
    assert_close(burn::tensor::activation::softmax(x, 1), &f["softmax"]["output"], "softmax");
}

#[test]
fn attention_without_mask_matches_numpy() {
    let _rng = crate::burn_rng();
    let f = fixtures();
    let a = &f["attention"];
    let (context, weights) = scaled_dot_product_attention(tensor(&a["q"]), tensor(&a["k"]), tensor(&a["v"]), None);
    assert_close(context, &a["context"], "context");
    assert_close(weights, &a["weights"], "weights");
}

#[test]
fn attention_with_padding_mask_matches_numpy() {
    let _rng = crate::burn_rng();
    let f = fixtures();
    let a = &f["attention"];
    let p = &f["attention_padding"];
    let (context, weights) =
        scaled_dot_product_attention(tensor(&a["q"]), tensor(&a["k"]), tensor(&a["v"]), Some(mask(&p["mask"])));
    assert_close(context, &p["context"], "context");
    // Padded keys get exactly zero weight.
    let w = to_vec(weights.clone());
    for (i, x) in w.iter().enumerate() {
        let (b, key) = (i / (2 * 5 * 6), i % 6);
        if (b == 0 && key >= 4) || (b == 1 && key == 5) {
            assert_eq!(*x, 0.0, "padded key {key} of sentence {b}");
        }
    }
    assert_close(weights, &p["weights"], "weights");
}

#[test]
fn attention_with_look_ahead_mask_matches_numpy() {
    let _rng = crate::burn_rng();
    let f = fixtures();
    let a = &f["attention"];
    let l = &f["attention_look_ahead"];
    let look = look_ahead_mask(5, &attention::device()).unwrap().unsqueeze::<4>();
    let (context, weights) =
        scaled_dot_product_attention(tensor(&a["q"]), tensor(&l["k"]), tensor(&l["v"]), Some(look));
    assert_close(context, &l["context"], "context");
    assert_close(weights, &l["weights"], "weights");
}

#[test]
fn multi_head_attention_matches_numpy_with_given_weights() {
    let _rng = crate::burn_rng();
    let f = fixtures();
    let m = &f["multi_head_attention"];
    let device = attention::device();
    let mut mha = MultiHeadAttentionConfig::new(8, 2).init(&device).unwrap();
    let set = |layer: &mut burn::nn::Linear, w: &str, b: &str| {
        layer.weight = Param::from_tensor(tensor::<2>(&m[w]));
        layer.bias = Some(Param::from_tensor(tensor::<1>(&m[b])));
    };
    set(&mut mha.query, "wq", "bq");
    set(&mut mha.key, "wk", "bk");
    set(&mut mha.value, "wv", "bv");
    set(&mut mha.output, "wo", "bo");
    let kv: Tensor<3> = tensor(&m["key_value_input"]);
    let out = mha.forward(tensor(&m["query_input"]), kv.clone(), kv, None).unwrap();
    assert_close(out.context, &m["output"], "output");
    assert_close(out.weights, &m["weights"], "weights");
}

#[test]
fn split_and_merge_heads_are_inverse_and_slice_the_depth() {
    let _rng = crate::burn_rng();
    let device = attention::device();
    let mha = MultiHeadAttentionConfig::new(512, 8).init(&device).unwrap();
    let x = Tensor::<1, Int>::arange(1..4609, &device).float().reshape([1, 9, 512]);
    let heads = mha.split_heads(x.clone()).unwrap();
    assert_eq!(heads.dims(), [1, 8, 9, 64]);
    let values = to_vec(heads.clone());
    // Element (head h, token t, j) is column h*64 + j of token t: 1 + t*512 + h*64 + j.
    for (h, t, j) in [(0, 0, 0), (1, 0, 0), (7, 8, 63), (3, 4, 10)] {
        assert_eq!(values[(h * 9 + t) * 64 + j], (1 + t * 512 + h * 64 + j) as f64);
    }
    assert_eq!(to_vec(mha.merge_heads(heads)), to_vec(x));
    assert_eq!(mha.parameter_count(), 4 * (512 * 512 + 512));
}

#[test]
fn masks_have_the_documented_shapes_and_values() {
    let _rng = crate::burn_rng();
    let device = attention::device();
    let look: Vec<bool> = look_ahead_mask(3, &device).unwrap().to_data().try_to_vec::<bool>().unwrap();
    assert_eq!(look, [false, true, true, false, false, true, false, false, false]);
    let tokens = Tensor::<2, Int>::from_data(TensorData::new(vec![5i64, 7, 0, 3, 0, 0], [2, 3]), &device);
    let pad = padding_mask(&tokens, 0).unwrap();
    assert_eq!(pad.dims(), [2, 1, 1, 3]);
    assert_eq!(pad.to_data().try_to_vec::<bool>().unwrap(), [false, false, true, false, true, true]);
    let dec = decoder_mask(&tokens, 0).unwrap();
    assert_eq!(dec.dims(), [2, 1, 3, 3]);
    #[rustfmt::skip]
    let expected = [
        false, true, true,   false, false, true,   false, false, true,
        false, true, true,   false, true, true,    false, true, true,
    ];
    assert_eq!(dec.to_data().try_to_vec::<bool>().unwrap(), expected);
}

#[test]
fn bad_sizes_and_shapes_are_clear_errors() {
    let _rng = crate::burn_rng();
    let device = attention::device();
    let err = MultiHeadAttentionConfig::new(512, 7).init(&device).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid multi-head attention sizes: d_model = 512 is not divisible by n_heads = 7: each head needs d_model / n_heads dimensions"
    );
    let q = Tensor::<4>::ones([1, 8, 9, 64], &device);
    let k = Tensor::<4>::ones([1, 8, 9, 32], &device);
    let err = try_scaled_dot_product_attention(q.clone(), k, q.clone(), None).unwrap_err();
    assert!(err.to_string().contains("q is [1, 8, 9, 64] and k is [1, 8, 9, 32]"), "{err}");
    let bad_mask = Tensor::<4, Bool>::empty([1, 1, 9, 5], &device);
    let err = try_scaled_dot_product_attention(q.clone(), q.clone(), q, Some(bad_mask)).unwrap_err();
    assert!(err.to_string().contains("the mask is [1, 1, 9, 5] but the weights are [1, 8, 9, 9]"), "{err}");
    let mha = MultiHeadAttentionConfig::new(16, 4).init(&device).unwrap();
    let x = Tensor::<3>::ones([1, 3, 12], &device);
    let err = mha.forward(x.clone(), x.clone(), x, None).unwrap_err();
    assert!(err.to_string().contains("query is [1, 3, 12] but the layer expects d_model = 16"), "{err}");
}

#[test]
fn empty_and_oversized_inputs_are_clear_errors() {
    let _rng = crate::burn_rng();
    let device = attention::device();
    // Depth 0 and no keys: burn-ndarray's matrix product would divide by zero.
    let q = Tensor::<4>::ones([1, 2, 3, 0], &device);
    let err = try_scaled_dot_product_attention(q.clone(), q.clone(), q, None).unwrap_err();
    assert!(err.to_string().contains("q is [1, 2, 3, 0], k is [1, 2, 3, 0] and v is [1, 2, 3, 0]"), "{err}");
    assert!(err.to_string().contains("every size must be at least 1"), "{err}");
    let q = Tensor::<4>::ones([1, 2, 3, 4], &device);
    let none = Tensor::<4>::ones([1, 2, 0, 4], &device);
    let err = try_scaled_dot_product_attention(q, none.clone(), none, None).unwrap_err();
    assert!(err.to_string().contains("k is [1, 2, 0, 4]"), "{err}");

    // 10^6 queries and keys of depth 1 are 8 MB of input but 4 TB of weights.
    let long = Tensor::<4>::ones([1, 1, 1_000_000, 1], &device);
    let err = try_scaled_dot_product_attention(long.clone(), long.clone(), long, None).unwrap_err();
    assert!(err.to_string().contains("would hold 1000000000000 values, more than the limit of 1073741824"), "{err}");

    let err = look_ahead_mask(0, &device).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid look-ahead mask length: 0: it must be between 1 and 16384 (a mask of at most 268435456 values)"
    );
    assert!(look_ahead_mask(1 << 20, &device).unwrap_err().to_string().contains("1048576: it must be"));
    let empty = Tensor::<2, Int>::from_data(TensorData::new(Vec::<i64>::new(), [2, 0]), &device);
    let err = padding_mask(&empty, 0).unwrap_err();
    assert!(err.to_string().contains("tokens of the padding mask: they are [2, 0]"), "{err}");
    let no_sentence = Tensor::<2, Int>::from_data(TensorData::new(Vec::<i64>::new(), [0, 3]), &device);
    let err = decoder_mask(&no_sentence, 0).unwrap_err();
    assert!(err.to_string().contains("tokens of the decoder mask: they are [0, 3]"), "{err}");
    let long = Tensor::<2, Int>::zeros([64, 4096], &device);
    let err = decoder_mask(&long, 0).unwrap_err();
    assert!(err.to_string().contains("64 × 4096 × 4096 = 1073741824 values"), "{err}");

    let err = positional_encoding(1_000_000, 1_000_000, &device).unwrap_err();
    assert!(err.to_string().contains("max_len = 1000000 and d_model = 1000000"), "{err}");
    assert!(err.to_string().contains("at most 100000000"), "{err}");
    assert!(positional_encoding_concatenated(0, 16, &device).is_err());

    let err = MultiHeadAttentionConfig::new(1 << 30, 8).init(&device).unwrap_err();
    assert!(err.to_string().contains("d_model = 1073741824 is more than 8192"), "{err}");
    let mha = MultiHeadAttentionConfig::new(16, 4).init(&device).unwrap();
    let err = mha.split_heads(Tensor::<3>::ones([1, 3, 12], &device)).unwrap_err();
    assert!(err.to_string().contains("it is [1, 3, 12] but the layer expects d_model = 16"), "{err}");
    let x = Tensor::<3>::ones([1, 3, 16], &device);
    let nothing = Tensor::<3>::ones([1, 0, 16], &device);
    let err = mha.forward(x, nothing.clone(), nothing, None).unwrap_err();
    assert!(err.to_string().contains("key is [1, 0, 16]: there must be at least one sequence"), "{err}");
}

#[test]
fn head_maps_check_the_batch_index_and_to_rows_keeps_empty_rows() {
    let _rng = crate::burn_rng();
    let device = attention::device();
    let weights = Tensor::<4>::ones([2, 3, 4, 5], &device);
    let maps = head_maps(weights.clone(), 1).unwrap();
    assert_eq!((maps.len(), maps[2].0.as_str(), maps[2].1.len(), maps[2].1[0].len()), (3, "head 3", 4, 5));
    let err = head_maps(weights, 2).unwrap_err();
    assert_eq!(err.to_string(), "invalid batch index: 2 is out of range for a batch of 2 (valid: 0..2)");
    let err = head_maps(Tensor::<4>::ones([1, 3, 4, 0], &device), 0).unwrap_err();
    assert!(err.to_string().contains("they are [1, 3, 4, 0]"), "{err}");
    assert_eq!(to_rows(Tensor::<2>::zeros([3, 0], &device)), vec![Vec::<f64>::new(); 3]);
}
