//! Sentence pairs and batches: the data side of the translator.

use std::path::Path;

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::tokenizer::{Bpe, END, PAD, START};
use crate::error::{Error, Result};
use crate::random::Rng;

/// One English sentence with its German translation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentencePair {
    /// The source sentence.
    pub en: String,
    /// The target sentence.
    pub de: String,
}

/// The three fixed splits of the sentence pairs.
#[derive(Clone, Debug, Default)]
pub struct Splits {
    /// Pairs to learn from.
    pub train: Vec<SentencePair>,
    /// Pairs to watch the loss on while training.
    pub valid: Vec<SentencePair>,
    /// Pairs held out for the final BLEU and accuracy.
    pub test: Vec<SentencePair>,
}

/// Reads the tab-separated pairs file (`split`, `en`, `de` columns with a header), as written
/// by `data/prepare/ding_pairs.py`. A UTF-8 byte-order mark at the start is skipped.
pub fn load_pairs(path: impl AsRef<Path>) -> Result<Splits> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    // Editors on Windows often start UTF-8 files with a byte-order mark; it is not part of `split`.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = lines.next().map(|(_, h)| h.split('\t').collect()).unwrap_or_default();
    for column in ["split", "en", "de"] {
        if !header.contains(&column) {
            return Err(Error::MissingColumn {
                path: path.to_owned(),
                column: column.to_owned(),
                available: header.join(", "),
            });
        }
    }
    let index = |name: &str| header.iter().position(|h| *h == name).expect("checked above");
    let (si, ei, di) = (index("split"), index("en"), index("de"));
    let mut splits = Splits::default();
    for (i, line) in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let malformed = |message: String| Error::MalformedRow { path: path.to_owned(), line: i as u64 + 1, message };
        if fields.len() != header.len() {
            return Err(malformed(format!("the row has {} fields but the header has {}", fields.len(), header.len())));
        }
        let pair = SentencePair { en: fields[ei].to_owned(), de: fields[di].to_owned() };
        if pair.en.is_empty() || pair.de.is_empty() {
            return Err(malformed("a sentence is empty".to_owned()));
        }
        match fields[si] {
            "train" => splits.train.push(pair),
            "valid" => splits.valid.push(pair),
            "test" => splits.test.push(pair),
            other => return Err(malformed(format!("unknown split `{other}` (expected train, valid or test)"))),
        }
    }
    Ok(splits)
}

/// Token ids of one pair: the source ends with `<end>`; the target gets `<start>` in front for
/// the decoder's input and `<end>` behind for the labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedPair {
    /// Source ids followed by `<end>`.
    pub src: Vec<u32>,
    /// Target ids (without `<start>` and `<end>`).
    pub tgt: Vec<u32>,
}

/// Encodes pairs with the two tokenizers, dropping pairs longer than `max_len` tokens.
pub fn encode_pairs(pairs: &[SentencePair], en: &Bpe, de: &Bpe, max_len: usize) -> Vec<EncodedPair> {
    pairs
        .iter()
        .map(|p| {
            let mut src = en.encode(&p.en);
            src.push(END);
            EncodedPair { src, tgt: de.encode(&p.de) }
        })
        .filter(|p| p.src.len() <= max_len && p.tgt.len() < max_len)
        .collect()
}

/// A batch of padded token ids.
#[derive(Clone, Debug)]
pub struct TranslationBatch {
    /// `(batch, src)` source ids, padded with `<pad>` (0).
    pub src: Tensor<2, Int>,
    /// `(batch, tgt)` decoder input: `<start>` then the target ids, padded.
    pub tgt_in: Tensor<2, Int>,
    /// `(batch, tgt)` labels: the target ids then `<end>`, padded.
    pub tgt_out: Tensor<2, Int>,
    /// Number of label tokens that are not padding.
    pub target_tokens: usize,
}

fn padded(rows: &[Vec<u32>], device: &Device) -> Tensor<2, Int> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let mut data = Vec::with_capacity(rows.len() * width);
    for row in rows {
        data.extend(row.iter().map(|&id| i64::from(id)));
        data.extend(std::iter::repeat_n(i64::from(PAD), width - row.len()));
    }
    Tensor::from_data(TensorData::new(data, [rows.len(), width]), device)
}

/// Pads a group of pairs into one batch (each part to its own longest sentence).
///
/// Fails when `pairs` is empty: burn cannot run a model on a batch of 0 sentences.
pub fn make_batch(pairs: &[EncodedPair], device: &Device) -> Result<TranslationBatch> {
    if pairs.is_empty() {
        return Err(Error::invalid("batch", "there are no sentence pairs in it (a batch needs at least one)"));
    }
    let src: Vec<Vec<u32>> = pairs.iter().map(|p| p.src.clone()).collect();
    let tgt_in: Vec<Vec<u32>> =
        pairs.iter().map(|p| std::iter::once(START).chain(p.tgt.iter().copied()).collect()).collect();
    let tgt_out: Vec<Vec<u32>> =
        pairs.iter().map(|p| p.tgt.iter().copied().chain(std::iter::once(END)).collect()).collect();
    let target_tokens = tgt_out.iter().map(Vec::len).sum();
    Ok(TranslationBatch {
        src: padded(&src, device),
        tgt_in: padded(&tgt_in, device),
        tgt_out: padded(&tgt_out, device),
        target_tokens,
    })
}

/// Batches in a seeded random order; each epoch reshuffles. Pairs of similar length are put
/// together (sorted within chunks of 50 batches) so that little of each batch is padding.
///
/// Fails when `batch_size` is 0.
pub fn shuffled_batches(pairs: &[EncodedPair], batch_size: usize, rng: &mut Rng) -> Result<Vec<Vec<EncodedPair>>> {
    if batch_size == 0 {
        return Err(Error::invalid("batch size", "0: a batch needs at least one sentence pair"));
    }
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    rng.shuffle(&mut order);
    let chunk = batch_size.saturating_mul(50);
    let mut batches = Vec::new();
    for block in order.chunks(chunk) {
        let mut block = block.to_vec();
        block.sort_by_key(|&i| (pairs[i].src.len().max(pairs[i].tgt.len() + 1), i));
        batches.extend(block.chunks(batch_size).map(|b| b.iter().map(|&i| pairs[i].clone()).collect::<Vec<_>>()));
    }
    rng.shuffle(&mut batches);
    Ok(batches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_pad_and_shift_the_target() {
        let device = crate::attention::device();
        let pairs = vec![
            EncodedPair { src: vec![10, 11, END], tgt: vec![20, 21, 22] },
            EncodedPair { src: vec![12, END], tgt: vec![23] },
        ];
        let batch = make_batch(&pairs, &device).unwrap();
        assert_eq!(batch.src.dims(), [2, 3]);
        assert_eq!(batch.src.to_data().try_to_vec::<i64>().unwrap(), [10, 11, 2, 12, 2, 0]);
        assert_eq!(batch.tgt_in.to_data().try_to_vec::<i64>().unwrap(), [1, 20, 21, 22, 1, 23, 0, 0]);
        assert_eq!(batch.tgt_out.to_data().try_to_vec::<i64>().unwrap(), [20, 21, 22, 2, 23, 2, 0, 0]);
        assert_eq!(batch.target_tokens, 6);
    }

    #[test]
    fn shuffled_batches_cover_every_pair_once() {
        let pairs: Vec<EncodedPair> =
            (0..103).map(|i| EncodedPair { src: vec![i; 1 + i as usize % 7], tgt: vec![i] }).collect();
        let batches = shuffled_batches(&pairs, 10, &mut Rng::seed(1)).unwrap();
        assert_eq!(batches.len(), 11);
        let mut seen: Vec<u32> = batches.iter().flatten().map(|p| p.tgt[0]).collect();
        seen.sort();
        assert_eq!(seen, (0..103).collect::<Vec<_>>());
        let err = shuffled_batches(&pairs, 0, &mut Rng::seed(1)).unwrap_err();
        assert_eq!(err.to_string(), "invalid batch size: 0: a batch needs at least one sentence pair");
        assert_eq!(shuffled_batches(&pairs, usize::MAX, &mut Rng::seed(1)).unwrap().len(), 1);
        let err = make_batch(&[], &crate::attention::device()).unwrap_err();
        assert_eq!(err.to_string(), "invalid batch: there are no sentence pairs in it (a batch needs at least one)");
    }

    #[test]
    fn pairs_file_errors_name_the_line() {
        let dir = std::env::temp_dir().join(format!("dslab-pairs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pairs.tsv");
        std::fs::write(&path, "split\ten\tde\ntrain\tHi.\tHallo.\nvalid\tYes.\n").unwrap();
        let err = load_pairs(&path).unwrap_err();
        assert!(err.to_string().contains("line 3: the row has 2 fields but the header has 3"), "{err}");
        std::fs::write(&path, "split\tenglish\tde\n").unwrap();
        let err = load_pairs(&path).unwrap_err();
        assert!(err.to_string().contains("no column `en`"), "{err}");
        std::fs::write(&path, "split\ten\tde\ntest\tHi.\tHallo.\n").unwrap();
        assert_eq!(load_pairs(&path).unwrap().test.len(), 1);
        // A byte-order mark (Excel, Notepad) is not part of the first column's name.
        std::fs::write(&path, "\u{feff}split\ten\tde\nvalid\tHi.\tHallo.\n").unwrap();
        assert_eq!(load_pairs(&path).unwrap().valid.len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
