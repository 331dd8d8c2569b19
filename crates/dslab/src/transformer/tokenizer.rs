//! A byte-pair-encoding (BPE) subword tokenizer: learned merges of frequent character pairs.
//!
//! Text is first cut into pieces — runs of letters and digits, and single punctuation marks —
//! and a piece that follows a space starts with the marker `▁`, so decoding can put the spaces
//! back exactly. Training starts from single characters and repeatedly merges the most frequent
//! adjacent pair (Sennrich et al. 2016) until the vocabulary has the requested size; encoding
//! applies the merges in the order they were learned.
//!
//! Why not the `tokenizers` crate: it would add about 40 crates (rayon, regex engines, serde_json,
//! ...) to the translator notebook's dependency graph, and evcxr re-reads that graph in every
//! kernel; the algorithm itself is a page of code, tested here.
//!
//! ```
//! use dslab::transformer::Bpe;
//! let corpus = ["low lower lowest", "new newer newest", "wider wide widest"];
//! let bpe = Bpe::train(corpus.iter().copied(), 40).unwrap();
//! let ids = bpe.encode("newest lower");
//! assert_eq!(bpe.decode(&ids), "newest lower");
//! assert!(ids.len() < "newest lower".len()); // merged into subwords
//! ```

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};

/// Id of the padding token; batches are padded with it and the loss ignores it.
pub const PAD: u32 = 0;
/// Id of the token that starts every target sentence.
pub const START: u32 = 1;
/// Id of the token that ends every sentence.
pub const END: u32 = 2;
/// Id of characters the tokenizer never saw in training.
pub const UNK: u32 = 3;
/// The special tokens, in id order.
pub const SPECIALS: [&str; 4] = ["<pad>", "<start>", "<end>", "<unk>"];

/// The word-start marker put before a piece that follows a space.
pub const WORD_START: char = '▁';

const FORMAT: &str = "dslab-bpe 1";

/// A trained BPE tokenizer: ids 0–3 are the special tokens, then the characters, then one id per
/// learned merge.
#[derive(Clone, Debug, PartialEq)]
pub struct Bpe {
    symbols: Vec<String>,
    ids: HashMap<String, u32>,
    merges: Vec<(String, String)>,
    ranks: HashMap<(String, String), usize>,
}

/// Cuts text into pieces: letter/digit runs and single other characters; `▁` marks a piece that
/// follows whitespace (or starts the text).
pub fn pre_tokenize(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut after_space = true;
    for c in text.chars() {
        if c.is_whitespace() {
            if !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
            }
            after_space = true;
            continue;
        }
        let word_char = c.is_alphanumeric();
        let continues = word_char && !current.is_empty() && current.chars().last().is_some_and(char::is_alphanumeric);
        if !continues && !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
        if current.is_empty() && after_space {
            current.push(WORD_START);
        }
        current.push(c);
        after_space = false;
        if !word_char {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

impl Bpe {
    /// Learns merges from `texts` until the vocabulary (specials, characters, merges) reaches
    /// `vocab_size` or no pair occurs twice. Ties between equally frequent pairs go to the
    /// pair that sorts first, so training is deterministic.
    pub fn train<'a>(texts: impl IntoIterator<Item = &'a str>, vocab_size: usize) -> Result<Bpe> {
        let mut word_counts: HashMap<String, usize> = HashMap::new();
        for text in texts {
            for piece in pre_tokenize(text) {
                *word_counts.entry(piece).or_insert(0) += 1;
            }
        }
        if word_counts.is_empty() {
            return Err(Error::invalid("tokenizer corpus", "there is no text to learn from"));
        }
        let mut base: Vec<String> = word_counts.keys().flat_map(|w| w.chars()).map(String::from).collect();
        base.sort();
        base.dedup();
        let floor = SPECIALS.len() + base.len();
        if vocab_size < floor {
            return Err(Error::invalid(
                "vocabulary size",
                format!(
                    "{vocab_size} is smaller than the {} special tokens and {} characters of the corpus",
                    SPECIALS.len(),
                    base.len()
                ),
            ));
        }
        // Symbols as integers: the characters first, then one per merge. Each distinct piece is a
        // sequence of symbol ids with its count; pair counts are kept up to date incrementally,
        // with an index from each pair to the pieces that contain it.
        let mut names: Vec<String> = base.clone();
        let char_id: HashMap<&str, u32> = base.iter().enumerate().map(|(i, c)| (c.as_str(), i as u32)).collect();
        let mut pieces: Vec<(String, usize)> = word_counts.into_iter().collect();
        pieces.sort();
        let mut words: Vec<Vec<u32>> =
            pieces.iter().map(|(w, _)| w.chars().map(|c| char_id[c.to_string().as_str()]).collect()).collect();
        let counts: Vec<usize> = pieces.iter().map(|(_, n)| *n).collect();
        let mut pair_counts: HashMap<(u32, u32), usize> = HashMap::new();
        let mut where_found: HashMap<(u32, u32), Vec<usize>> = HashMap::new();
        for (w, symbols) in words.iter().enumerate() {
            for pair in symbols.windows(2) {
                *pair_counts.entry((pair[0], pair[1])).or_insert(0) += counts[w];
                where_found.entry((pair[0], pair[1])).or_default().push(w);
            }
        }
        let mut merges = Vec::new();
        while floor + merges.len() < vocab_size {
            // The most frequent pair; ties go to the pair whose texts sort first.
            let Some((&best, &count)) = pair_counts.iter().filter(|(_, c)| **c > 0).max_by(|(pa, ca), (pb, cb)| {
                ca.cmp(cb).then_with(|| {
                    (&names[pb.0 as usize], &names[pb.1 as usize]).cmp(&(&names[pa.0 as usize], &names[pa.1 as usize]))
                })
            }) else {
                break;
            };
            if count < 2 {
                break;
            }
            let new_id = names.len() as u32;
            names.push(format!("{}{}", names[best.0 as usize], names[best.1 as usize]));
            merges.push((names[best.0 as usize].clone(), names[best.1 as usize].clone()));
            let mut affected = where_found.remove(&best).unwrap_or_default();
            affected.sort_unstable();
            affected.dedup();
            for w in affected {
                let symbols = &words[w];
                if !symbols.windows(2).any(|p| (p[0], p[1]) == best) {
                    continue; // the index is a superset: an earlier merge may have removed the pair
                }
                for pair in symbols.windows(2) {
                    if let Some(c) = pair_counts.get_mut(&(pair[0], pair[1])) {
                        *c -= counts[w];
                    }
                }
                let mut merged = Vec::with_capacity(symbols.len());
                let mut i = 0;
                while i < symbols.len() {
                    if i + 1 < symbols.len() && (symbols[i], symbols[i + 1]) == best {
                        merged.push(new_id);
                        i += 2;
                    } else {
                        merged.push(symbols[i]);
                        i += 1;
                    }
                }
                for pair in merged.windows(2) {
                    *pair_counts.entry((pair[0], pair[1])).or_insert(0) += counts[w];
                    if pair[0] == new_id || pair[1] == new_id {
                        where_found.entry((pair[0], pair[1])).or_default().push(w);
                    }
                }
                words[w] = merged;
            }
            pair_counts.remove(&best);
        }
        Ok(Bpe::from_parts(base, merges))
    }

    fn from_parts(base: Vec<String>, merges: Vec<(String, String)>) -> Bpe {
        let mut symbols: Vec<String> = SPECIALS.iter().map(|s| (*s).to_owned()).collect();
        symbols.extend(base);
        symbols.extend(merges.iter().map(|(a, b)| format!("{a}{b}")));
        let mut ids = HashMap::with_capacity(symbols.len());
        for (i, s) in symbols.iter().enumerate() {
            ids.entry(s.clone()).or_insert(i as u32);
        }
        let ranks = merges.iter().enumerate().map(|(i, m)| (m.clone(), i)).collect();
        Bpe { symbols, ids, merges, ranks }
    }

    /// Number of ids, special tokens included.
    pub fn vocab_size(&self) -> usize {
        self.symbols.len()
    }

    /// The text of token `id` (`▁` marks a word start), or `None` outside the vocabulary.
    pub fn symbol(&self, id: u32) -> Option<&str> {
        self.symbols.get(id as usize).map(String::as_str)
    }

    /// Splits one pre-tokenized piece into subword symbols by applying the merges in rank order.
    fn split_piece(&self, piece: &str) -> Vec<String> {
        let mut symbols: Vec<String> = piece.chars().map(String::from).collect();
        loop {
            let best = symbols
                .windows(2)
                .enumerate()
                .filter_map(|(i, w)| self.ranks.get(&(w[0].clone(), w[1].clone())).map(|&r| (r, i)))
                .min();
            let Some((_, i)) = best else { break };
            let joined = format!("{}{}", symbols[i], symbols[i + 1]);
            symbols.splice(i..i + 2, [joined]);
        }
        symbols
    }

    /// The ids of `text`, without `<start>` or `<end>`; unknown characters become `<unk>`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        pre_tokenize(text)
            .iter()
            .flat_map(|piece| self.split_piece(piece))
            .map(|s| self.ids.get(&s).copied().unwrap_or(UNK))
            .collect()
    }

    /// The subword texts of `text`, for showing how a sentence is cut.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        self.encode(text).into_iter().map(|id| self.symbol(id).unwrap_or("<unk>").to_owned()).collect()
    }

    /// Text from ids; special tokens are dropped and word-start markers become spaces.
    pub fn decode(&self, ids: &[u32]) -> String {
        let mut text = String::new();
        for &id in ids {
            if (id as usize) < SPECIALS.len() {
                if id == UNK {
                    text.push('?');
                }
                continue;
            }
            if let Some(symbol) = self.symbol(id) {
                text.push_str(symbol);
            }
        }
        text.replace(WORD_START, " ").trim_start().to_owned()
    }

    /// Writes the tokenizer as text: the characters, then the merges in order.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let base = &self.symbols[SPECIALS.len()..self.symbols.len() - self.merges.len()];
        let mut text = format!("{FORMAT}\ncharacters {}\n", base.len());
        for c in base {
            text.push_str(c);
            text.push('\n');
        }
        text.push_str(&format!("merges {}\n", self.merges.len()));
        for (a, b) in &self.merges {
            text.push_str(&format!("{a} {b}\n"));
        }
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, text).map_err(|e| Error::io("write", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io("write", path, e))
    }

    /// Reads a tokenizer written by [`Bpe::save`].
    ///
    /// The counts in the file are checked against the lines that follow them before anything is
    /// allocated, so a corrupted or truncated file is an error naming the line, not an attempt
    /// to reserve memory for billions of symbols.
    pub fn load(path: impl AsRef<Path>) -> Result<Bpe> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let lines: Vec<&str> = text.lines().collect();
        let bad =
            |line: usize, message: String| Error::MalformedRow { path: path.to_owned(), line: line as u64, message };
        if lines.first() != Some(&FORMAT) {
            return Err(bad(1, format!("not a dslab BPE tokenizer (the first line should be `{FORMAT}`)")));
        }
        let mut next = 1; // 0-based index of the next line to read
        let n_base = read_count(&lines, &mut next, "characters", &bad)?;
        let mut base = Vec::with_capacity(n_base);
        for line in &lines[next..next + n_base] {
            next += 1;
            if line.chars().count() != 1 {
                return Err(bad(next, format!("expected one character, found `{}`", preview(line))));
            }
            base.push((*line).to_owned());
        }
        let n_merges = read_count(&lines, &mut next, "merges", &bad)?;
        let mut merges = Vec::with_capacity(n_merges);
        for line in &lines[next..next + n_merges] {
            next += 1;
            match line.split_once(' ') {
                Some((a, b)) if !a.is_empty() && !b.is_empty() && !b.contains(' ') => {
                    merges.push((a.to_owned(), b.to_owned()))
                }
                _ => {
                    return Err(bad(
                        next,
                        format!("expected two symbols separated by one space, found `{}`", preview(line)),
                    ));
                }
            }
        }
        if let Some(extra) = lines[next..].iter().position(|l| !l.trim().is_empty()) {
            return Err(bad(next + extra + 1, format!("the file goes on after the {n_merges} merges it announced")));
        }
        Ok(Bpe::from_parts(base, merges))
    }
}

/// Reads the line `<name> <count>` at `lines[*next]` and checks that at least `count` lines
/// follow it, so that a corrupted count cannot make the caller allocate for lines that are not
/// there.
fn read_count(lines: &[&str], next: &mut usize, name: &str, bad: &dyn Fn(usize, String) -> Error) -> Result<usize> {
    let number = *next + 1; // 1-based line number
    let Some(line) = lines.get(*next) else {
        return Err(bad(number, format!("the file ends early after line {}: expected `{name} <count>`", *next)));
    };
    let count: usize = line
        .strip_prefix(name)
        .and_then(|rest| rest.trim().parse().ok())
        .ok_or_else(|| bad(number, format!("expected `{name} <count>`, found `{}`", preview(line))))?;
    let left = lines.len() - number;
    if count > left {
        return Err(bad(
            number,
            format!("it announces {count} {name} but the file ends after {left} more lines (truncated or corrupted)"),
        ));
    }
    *next = number;
    Ok(count)
}

/// The first 40 characters of `line`, for an error message.
fn preview(line: &str) -> String {
    let mut short: String = line.chars().take(40).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_tokenizer_marks_word_starts_and_splits_punctuation() {
        assert_eq!(
            pre_tokenize("He's  here, isn't he?"),
            ["▁He", "'", "s", "▁here", ",", "▁isn", "'", "t", "▁he", "?"]
        );
        assert_eq!(pre_tokenize("Größe: 3.5 m!"), ["▁Größe", ":", "▁3", ".", "5", "▁m", "!"]);
        assert!(pre_tokenize("   ").is_empty());
    }

    #[test]
    fn training_merges_the_most_frequent_pair_first() {
        // "▁a b" appears 3 times as (▁, a), (a, b) 3 + 1 times: a-b is the most frequent pair.
        let bpe = Bpe::train(["ab ab ab", "cab"], 100).unwrap();
        assert_eq!(bpe.merges[0], ("a".to_owned(), "b".to_owned()));
        assert_eq!(bpe.symbol(0), Some("<pad>"));
        assert_eq!(bpe.symbol(3), Some("<unk>"));
        // (▁, c) occurs once, so it is never merged.
        assert_eq!(bpe.tokens("ab cab"), ["▁ab", "▁", "c", "ab"]);
    }

    /// The textbook algorithm: recount every pair after every merge.
    fn naive_merges(texts: &[&str], n_merges: usize) -> Vec<(String, String)> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for t in texts {
            for p in pre_tokenize(t) {
                *counts.entry(p).or_insert(0) += 1;
            }
        }
        let mut words: Vec<(Vec<String>, usize)> =
            counts.into_iter().map(|(w, n)| (w.chars().map(String::from).collect(), n)).collect();
        let mut merges = Vec::new();
        for _ in 0..n_merges {
            let mut pairs: HashMap<(String, String), usize> = HashMap::new();
            for (w, n) in &words {
                for p in w.windows(2) {
                    *pairs.entry((p[0].clone(), p[1].clone())).or_insert(0) += n;
                }
            }
            let Some((best, c)) = pairs.into_iter().max_by(|(pa, ca), (pb, cb)| ca.cmp(cb).then(pb.cmp(pa))) else {
                break;
            };
            if c < 2 {
                break;
            }
            for (w, _) in &mut words {
                let mut out = Vec::new();
                let mut i = 0;
                while i < w.len() {
                    if i + 1 < w.len() && w[i] == best.0 && w[i + 1] == best.1 {
                        out.push(format!("{}{}", best.0, best.1));
                        i += 2;
                    } else {
                        out.push(w[i].clone());
                        i += 1;
                    }
                }
                *w = out;
            }
            merges.push(best);
        }
        merges
    }

    #[test]
    fn incremental_training_learns_the_same_merges_as_the_textbook_algorithm() {
        let mut rng = crate::random::Rng::seed(5);
        let syllables = ["ka", "ri", "ste", "nu", "ber", "ei", "sch", "o", "la", "mm", "ung", "en"];
        let texts: Vec<String> = (0..300)
            .map(|_| {
                (0..1 + rng.index(8))
                    .map(|_| (0..1 + rng.index(4)).map(|_| syllables[rng.index(syllables.len())]).collect::<String>())
                    .collect::<Vec<_>>()
                    .join(" ")
                    + "."
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let bpe = Bpe::train(refs.iter().copied(), 200).unwrap();
        assert_eq!(bpe.merges, naive_merges(&refs, bpe.merges.len()));
        assert!(bpe.merges.len() > 100);
    }

    #[test]
    fn round_trips_text_and_marks_unknown_characters() {
        let corpus = ["The cat sat on the mat.", "Die Katze saß auf der Matte.", "Is it? Yes, it is!"];
        let bpe = Bpe::train(corpus, 60).unwrap();
        for text in corpus {
            assert_eq!(bpe.decode(&bpe.encode(text)), text);
        }
        let ids = bpe.encode("cat €");
        assert_eq!(*ids.last().unwrap(), UNK);
        assert_eq!(bpe.decode(&ids), "cat ?");
        assert_eq!(bpe.decode(&[START, END, PAD]), "");
    }

    #[test]
    fn vocabulary_size_is_respected() {
        let text = "a quick brown fox jumps over the lazy dog ".repeat(20);
        let bpe = Bpe::train([text.as_str()], 40).unwrap();
        assert_eq!(bpe.vocab_size(), 40);
        let err = Bpe::train([text.as_str()], 10).unwrap_err();
        assert!(err.to_string().contains("smaller than the 4 special tokens"), "{err}");
    }

    #[test]
    fn save_and_load_round_trip() {
        let bpe = Bpe::train(["Guten Morgen, Welt!", "Good morning, world!"], 45).unwrap();
        let path = std::env::temp_dir().join(format!("dslab-bpe-{}.txt", std::process::id()));
        bpe.save(&path).unwrap();
        assert_eq!(Bpe::load(&path).unwrap(), bpe);
        std::fs::write(&path, "not a tokenizer\n").unwrap();
        let err = Bpe::load(&path).unwrap_err();
        assert!(err.to_string().contains("line 1: not a dslab BPE tokenizer"), "{err}");
        // A corrupted count is checked against the lines that follow before anything is allocated.
        std::fs::write(&path, "dslab-bpe 1\ncharacters 4000000000\na\nb\n").unwrap();
        let err = Bpe::load(&path).unwrap_err();
        assert!(
            err.to_string().contains("line 2: it announces 4000000000 characters but the file ends after 2 more lines"),
            "{err}"
        );
        std::fs::write(&path, "dslab-bpe 1\ncharacters 2\na\nb\nmerges 3\na b\n").unwrap();
        let err = Bpe::load(&path).unwrap_err();
        assert!(
            err.to_string().contains("line 5: it announces 3 merges but the file ends after 1 more lines"),
            "{err}"
        );
        // A truncated file names the line where it ends, not line 0.
        std::fs::write(&path, "dslab-bpe 1\ncharacters 2\na\nb\n").unwrap();
        let err = Bpe::load(&path).unwrap_err();
        assert!(
            err.to_string().contains("line 5: the file ends early after line 4: expected `merges <count>`"),
            "{err}"
        );
        std::fs::write(&path, "dslab-bpe 1\ncharacters 1\nab\nmerges 0\n").unwrap();
        let err = Bpe::load(&path).unwrap_err();
        assert!(err.to_string().contains("line 3: expected one character, found `ab`"), "{err}");
        std::fs::write(&path, "dslab-bpe 1\ncharacters 1\na\nmerges 1\na\n").unwrap();
        let err = Bpe::load(&path).unwrap_err();
        assert!(err.to_string().contains("line 5: expected two symbols separated by one space, found `a`"), "{err}");
        std::fs::write(&path, "dslab-bpe 1\ncharacters 1\na\nmerges 0\nb c\n").unwrap();
        let err = Bpe::load(&path).unwrap_err();
        assert!(err.to_string().contains("line 5: the file goes on after the 0 merges it announced"), "{err}");
        std::fs::remove_file(&path).unwrap();
    }
}
