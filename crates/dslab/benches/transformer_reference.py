"""The peer comparison for the translator: the same model in PyTorch (torch.nn.Transformer, CPU).

Not part of the test command; PyTorch is not a dependency of the notebooks. Run it next to the
Rust training on the very same token ids:

    cargo run --release --features transformer --example train_translator -- \
        --steps 1500 --dump-encoded target/translator-ids --out target/translator-bench
    python crates/dslab/benches/transformer_reference.py --data target/translator-ids --steps 1500

Both use the same configuration (2 layers, d_model 128, 4 heads, d_ff 512, dropout 0.3), the
same data (the ids dumped by the Rust run, from this repository's BPE tokenizers), batches of 64
pairs grouped by length, Adam (0.9, 0.98, 1e-9) with the same warm-up schedule, the same number
of steps and seed (the frameworks' random streams differ, so the weights do not). Throughput is
counted the same way: source plus target tokens, padding excluded, per second of training.
BLEU is sacrebleu's corpus BLEU of greedy decoding on the test split.
"""

import argparse
import math
import random
import time
from pathlib import Path

import sacrebleu
import torch
from torch import nn

PAD, START, END = 0, 1, 2


def read_ids(path):
    pairs = []
    for line in Path(path).read_text().splitlines():
        src, tgt = line.split("\t")
        pairs.append(([int(x) for x in src.split()], [int(x) for x in tgt.split()] if tgt else []))
    return pairs


def symbols(bpe_path):
    lines = Path(bpe_path).read_text(encoding="utf-8").splitlines()
    n_chars = int(lines[1].split()[1])
    chars = lines[2 : 2 + n_chars]
    n_merges = int(lines[2 + n_chars].split()[1])
    merges = [l.split(" ", 1) for l in lines[3 + n_chars : 3 + n_chars + n_merges]]
    return ["<pad>", "<start>", "<end>", "<unk>"] + chars + [a + b for a, b in merges]


def decode(ids, table):
    text = "".join("?" if i == 3 else table[i] for i in ids if i >= 3)
    return text.replace("\u2581", " ").lstrip()


def positional_encoding(max_len, d_model):
    pe = torch.zeros(max_len, d_model)
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    i = torch.arange(d_model)[None, :]
    angle = pos / torch.pow(10000.0, (2 * (i // 2)).double() / d_model)
    pe[:, 0::2] = torch.sin(angle[:, 0::2]).float()
    pe[:, 1::2] = torch.cos(angle[:, 1::2]).float()
    return pe


class Translator(nn.Module):
    def __init__(self, src_vocab, tgt_vocab, layers, d_model, heads, d_ff, dropout, max_len):
        super().__init__()
        self.d_model = d_model
        self.src_embedding = nn.Embedding(src_vocab, d_model)
        self.tgt_embedding = nn.Embedding(tgt_vocab, d_model)
        self.register_buffer("positions", positional_encoding(max_len, d_model))
        self.dropout = nn.Dropout(dropout)
        enc = nn.TransformerEncoderLayer(d_model, heads, d_ff, dropout, batch_first=True)
        dec = nn.TransformerDecoderLayer(d_model, heads, d_ff, dropout, batch_first=True)
        # No final LayerNorm after the stacks, like the paper and dslab's model.
        self.transformer = nn.Transformer(
            d_model,
            heads,
            custom_encoder=nn.TransformerEncoder(enc, layers, enable_nested_tensor=False),
            custom_decoder=nn.TransformerDecoder(dec, layers),
            batch_first=True,
        )
        self.output = nn.Linear(d_model, tgt_vocab)

    def embed(self, embedding, tokens):
        x = embedding(tokens) * math.sqrt(self.d_model)
        return self.dropout(x + self.positions[: tokens.shape[1]])

    def encode(self, src):
        pad = src == PAD
        return self.transformer.encoder(self.embed(self.src_embedding, src), src_key_padding_mask=pad), pad

    def decode(self, tgt, memory, memory_pad):
        causal = torch.triu(torch.full((tgt.shape[1], tgt.shape[1]), float("-inf")), diagonal=1)
        x = self.transformer.decoder(
            self.embed(self.tgt_embedding, tgt),
            memory,
            tgt_mask=causal,
            tgt_key_padding_mask=tgt == PAD,
            memory_key_padding_mask=memory_pad,
        )
        return self.output(x)

    def forward(self, src, tgt):
        memory, pad = self.encode(src)
        return self.decode(tgt, memory, pad)


def padded(rows):
    width = max(1, max(len(r) for r in rows))
    return torch.tensor([r + [PAD] * (width - len(r)) for r in rows], dtype=torch.long)


def batches(pairs, batch_size, rng):
    order = list(range(len(pairs)))
    rng.shuffle(order)
    out = []
    for start in range(0, len(order), batch_size * 50):
        block = sorted(order[start : start + batch_size * 50], key=lambda i: (max(len(pairs[i][0]), len(pairs[i][1]) + 1), i))
        out += [block[j : j + batch_size] for j in range(0, len(block), batch_size)]
    rng.shuffle(out)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="folder written by train_translator --dump-encoded")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--d-ff", type=int, default=512)
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--warmup", type=int, default=400)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--max-len", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    data = Path(args.data)
    train = read_ids(data / "train.ids")
    test = read_ids(data / "test.ids")
    references = (data / "test.de").read_text(encoding="utf-8").splitlines()
    src_table, tgt_table = symbols(data / "en.bpe"), symbols(data / "de.bpe")
    model = Translator(len(src_table), len(tgt_table), args.layers, args.d_model, args.heads, args.d_ff, args.dropout, args.max_len)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {n_params} parameters, {len(train)} training pairs")

    optimizer = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    schedule = lambda step: args.d_model**-0.5 * min((step + 1) ** -0.5, (step + 1) * args.warmup**-1.5)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD)
    rng = random.Random(args.seed)
    queue = []
    tokens = 0
    model.train()
    started = time.perf_counter()
    for step in range(1, args.steps + 1):
        if not queue:
            queue = batches(train, args.batch, rng)[::-1]
        group = [train[i] for i in queue.pop()]
        src = padded([s for s, _ in group])
        tgt_in = padded([[START] + t for _, t in group])
        tgt_out = padded([t + [END] for _, t in group])
        tokens += int((src != PAD).sum() + (tgt_out != PAD).sum())
        logits = model(src, tgt_in)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % 100 == 0 or step == args.steps:
            elapsed = time.perf_counter() - started
            print(f"step {step:5}  loss {loss.item():.3f}  {tokens / elapsed:6.0f} tokens/s  {elapsed:6.1f} s", flush=True)
    seconds = time.perf_counter() - started
    throughput = tokens / seconds

    model.eval()
    hypotheses = []
    with torch.no_grad():
        for start in range(0, len(test), 64):
            group = test[start : start + 64]
            memory, pad = model.encode(padded([s for s, _ in group]))
            out = torch.full((len(group), 1), START, dtype=torch.long)
            done = torch.zeros(len(group), dtype=torch.bool)
            for _ in range(min(40, args.max_len - 1)):
                logits = model.decode(out, memory, pad)[:, -1]
                nxt = logits.argmax(-1)
                nxt = torch.where(done, torch.full_like(nxt, END), nxt)
                out = torch.cat([out, nxt[:, None]], 1)
                done |= nxt == END
                if bool(done.all()):
                    break
            for row in out[:, 1:].tolist():
                ids = row[: row.index(END)] if END in row else row
                hypotheses.append(decode(ids, tgt_table))
    bleu = sacrebleu.corpus_bleu(hypotheses, [references[: len(hypotheses)]])
    print(f"trained {args.steps} steps in {seconds:.0f} s: {throughput:.0f} tokens/s")
    print(f"greedy on {len(hypotheses)} test sentences: {bleu}")
    for h, r in list(zip(hypotheses, references))[:5]:
        print(f"  {h}\n    ref: {r}")


if __name__ == "__main__":
    main()
