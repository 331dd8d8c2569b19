//! Corpus BLEU as sacrebleu computes it by default (13a tokenization, exponential smoothing,
//! n-grams up to 4, one reference per sentence), so scores compare with published numbers.

use std::collections::HashMap;

use crate::error::{Error, Result};

/// The score and the counts behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct BleuScore {
    /// BLEU on sacrebleu's 0–100 scale.
    pub score: f64,
    /// Matched n-grams for n = 1..4.
    pub correct: [usize; 4],
    /// Hypothesis n-grams for n = 1..4.
    pub total: [usize; 4],
    /// n-gram precisions in percent (smoothed where no n-gram matched).
    pub precisions: [f64; 4],
    /// Brevity penalty.
    pub brevity_penalty: f64,
    /// Tokens in all hypotheses.
    pub sys_len: usize,
    /// Tokens in all references.
    pub ref_len: usize,
}

impl std::fmt::Display for BleuScore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BLEU = {:.2} {:.1}/{:.1}/{:.1}/{:.1} (BP = {:.3} ratio = {:.3} hyp_len = {} ref_len = {})",
            self.score,
            self.precisions[0],
            self.precisions[1],
            self.precisions[2],
            self.precisions[3],
            self.brevity_penalty,
            self.sys_len as f64 / self.ref_len.max(1) as f64,
            self.sys_len,
            self.ref_len
        )
    }
}

fn is_13a_symbol(c: char) -> bool {
    // sacrebleu's class [\{-\~\[-\` -\&\(-\+\:-\@\/]
    matches!(c, '{'..='~' | '['..='`' | ' '..='&' | '('..='+' | ':'..='@' | '/')
}

/// The mteval-v13a tokenization of sacrebleu: symbols split off, periods and commas split off
/// unless between digits, dashes after digits split off.
pub fn tokenize_13a(line: &str) -> Vec<String> {
    let mut line = line.replace("<skipped>", "").replace("-\n", "").replace('\n', " ");
    if line.contains('&') {
        line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    }
    let chars: Vec<char> = format!(" {line} ").chars().collect();
    // Rule 1: pad every symbol with spaces.
    let mut step: Vec<char> = Vec::with_capacity(chars.len() * 2);
    for &c in &chars {
        if is_13a_symbol(c) {
            step.extend([' ', c, ' ']);
        } else {
            step.push(c);
        }
    }
    // Rule 2: `([^0-9])([\.,])` -> `\1 \2 ` (left to right, matches do not overlap).
    let step = regex_pair(&step, |a| !a.is_ascii_digit(), |b| b == '.' || b == ',', |a, b| vec![a, ' ', b, ' ']);
    // Rule 3: `([\.,])([^0-9])` -> ` \1 \2`.
    let step = regex_pair(&step, |a| a == '.' || a == ',', |b| !b.is_ascii_digit(), |a, b| vec![' ', a, ' ', b]);
    // Rule 4: `([0-9])(-)` -> `\1 \2 `.
    let step = regex_pair(&step, |a| a.is_ascii_digit(), |b| b == '-', |a, b| vec![a, ' ', b, ' ']);
    step.iter().collect::<String>().split_whitespace().map(str::to_owned).collect()
}

/// Replaces non-overlapping two-character matches scanning left to right, like `re.sub`.
fn regex_pair(
    text: &[char],
    first: impl Fn(char) -> bool,
    second: impl Fn(char) -> bool,
    replace: impl Fn(char, char) -> Vec<char>,
) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < text.len() {
        if i + 1 < text.len() && first(text[i]) && second(text[i + 1]) {
            out.extend(replace(text[i], text[i + 1]));
            i += 2;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

fn ngrams(tokens: &[String]) -> HashMap<&[String], usize> {
    let mut counts = HashMap::new();
    for n in 1..=4 {
        for window in tokens.windows(n) {
            *counts.entry(window).or_insert(0) += 1;
        }
    }
    counts
}

/// Corpus BLEU of `hypotheses` against one reference each.
pub fn corpus_bleu<H: AsRef<str>, R: AsRef<str>>(hypotheses: &[H], references: &[R]) -> Result<BleuScore> {
    if hypotheses.len() != references.len() {
        return Err(Error::invalid(
            "BLEU input",
            format!("{} hypotheses but {} references", hypotheses.len(), references.len()),
        ));
    }
    let (mut correct, mut total) = ([0usize; 4], [0usize; 4]);
    let (mut sys_len, mut ref_len) = (0, 0);
    for (hyp, reference) in hypotheses.iter().zip(references) {
        let hyp = tokenize_13a(hyp.as_ref());
        let reference = tokenize_13a(reference.as_ref());
        sys_len += hyp.len();
        ref_len += reference.len();
        let ref_counts = ngrams(&reference);
        for (gram, count) in ngrams(&hyp) {
            let n = gram.len() - 1;
            total[n] += count;
            correct[n] += count.min(ref_counts.get(gram).copied().unwrap_or(0));
        }
    }
    let brevity_penalty = if sys_len < ref_len {
        if sys_len > 0 { (1.0 - ref_len as f64 / sys_len as f64).exp() } else { 0.0 }
    } else {
        1.0
    };
    let mut precisions = [0.0; 4];
    if correct.iter().all(|&c| c == 0) {
        return Ok(BleuScore { score: 0.0, correct, total, precisions, brevity_penalty, sys_len, ref_len });
    }
    let mut smooth = 1.0;
    for n in 0..4 {
        if total[n] == 0 {
            break;
        }
        precisions[n] = if correct[n] == 0 {
            smooth *= 2.0;
            100.0 / (smooth * total[n] as f64)
        } else {
            100.0 * correct[n] as f64 / total[n] as f64
        };
    }
    let log_mean = precisions.iter().map(|&p| if p == 0.0 { -9_999_999_999.0 } else { p.ln() }).sum::<f64>() / 4.0;
    let score = brevity_penalty * log_mean.exp();
    Ok(BleuScore { score, correct, total, precisions, brevity_penalty, sys_len, ref_len })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_like_mteval_13a() {
        assert_eq!(
            tokenize_13a("Hello, world! It costs 3.50 dollars."),
            ["Hello", ",", "world", "!", "It", "costs", "3.50", "dollars", "."]
        );
        assert_eq!(
            tokenize_13a("Er sagt: \"Nein\" (1990-2000)."),
            ["Er", "sagt", ":", "\"", "Nein", "\"", "(", "1990", "-", "2000", ")", "."]
        );
        assert_eq!(tokenize_13a("Don't use &amp; here."), ["Don't", "use", "&", "here", "."]);
    }

    #[test]
    fn identical_text_scores_100_and_mismatched_lengths_are_errors() {
        let text = ["Der Hund bellt laut.", "Sie liest ein Buch."];
        assert!((corpus_bleu(&text, &text).unwrap().score - 100.0).abs() < 1e-9);
        assert!(corpus_bleu(&text[..1], &text).is_err());
        assert_eq!(corpus_bleu(&["x"], &["y"]).unwrap().score, 0.0);
    }
}
