//! Okapi BM25 over a small, fixed set of texts: the ranking search engines have used for
//! decades, in a few lines.
//!
//! A text's score for a query adds, for each query term it contains, the term's rarity
//! (inverse document frequency) times a term-frequency factor that saturates (`K1`) and is
//! normalised by the text's length against the average (`B`).

use std::collections::HashMap;

/// How quickly repeated terms stop adding to a score.
const K1: f64 = 1.2;
/// How much a text's length counts against it.
const B: f64 = 0.75;

/// Words too common to tell texts apart.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "at", "be", "by", "can", "do", "for", "from", "how", "i", "in", "is",
    "it", "my", "of", "on", "or", "the", "to", "what", "when", "with", "you", "your",
];

/// The terms of `text`: lower-case runs of letters and digits, without stopwords, plurals
/// folded to the singular (`taxis` and `taxi` are one term).
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .filter(|word| !STOPWORDS.contains(&word.as_str()))
        .map(singular)
}

/// A light stemmer for English plurals: `policies` to `policy`, `links` to `link`; `ss`
/// endings (`class`) and short words (`is`, `bus`) are left alone.
fn singular(word: String) -> String {
    let long = word.chars().count() > 3;
    if long && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if long && word.ends_with('s') && !word.ends_with("ss") {
        word[..word.len() - 1].to_owned()
    } else {
        word
    }
}

/// An index of texts, searched with [`Index::search`].
#[derive(Debug, Clone)]
pub struct Index {
    texts: Vec<HashMap<String, u32>>,
    lengths: Vec<usize>,
    document_frequency: HashMap<String, usize>,
    average_length: f64,
}

impl Index {
    /// Indexes `texts`; results refer to them by position.
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut index = Self {
            texts: Vec::new(),
            lengths: Vec::new(),
            document_frequency: HashMap::new(),
            average_length: 0.0,
        };
        for text in texts {
            let mut counts: HashMap<String, u32> = HashMap::new();
            let mut length = 0;
            for term in terms(text) {
                *counts.entry(term).or_default() += 1;
                length += 1;
            }
            for term in counts.keys() {
                *index.document_frequency.entry(term.clone()).or_default() += 1;
            }
            index.texts.push(counts);
            index.lengths.push(length);
        }
        let total: usize = index.lengths.iter().sum();
        index.average_length = total as f64 / index.texts.len().max(1) as f64;
        index
    }

    /// How many texts it holds.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The best `limit` texts for `query`: `(position, score)`, best first, ties by position.
    /// Texts that share no term with the query are left out.
    pub fn search(&self, query: &str, limit: usize) -> Vec<(usize, f64)> {
        let mut query_terms: Vec<String> = terms(query).collect();
        query_terms.sort();
        query_terms.dedup();
        let mut scored: Vec<(usize, f64)> = (0..self.texts.len())
            .map(|position| (position, self.score(position, &query_terms)))
            .filter(|(_, score)| *score > 0.0)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(limit);
        scored
    }

    fn score(&self, position: usize, query_terms: &[String]) -> f64 {
        let counts = &self.texts[position];
        let length_ratio = self.lengths[position] as f64 / self.average_length.max(1.0);
        query_terms
            .iter()
            .filter_map(|term| {
                let frequency = f64::from(*counts.get(term)?);
                let saturation =
                    frequency * (K1 + 1.0) / (frequency + K1 * (1.0 - B + B * length_ratio));
                Some(self.idf(term) * saturation)
            })
            .sum()
    }

    /// Rarity: high for terms in few texts, near zero for terms in all of them.
    fn idf(&self, term: &str) -> f64 {
        let total = self.texts.len() as f64;
        let containing = *self.document_frequency.get(term).unwrap_or(&0) as f64;
        (1.0 + (total - containing + 0.5) / (containing + 0.5)).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lowercase_words_without_stopwords() {
        let found: Vec<String> = terms("How do I claim a Taxi, after 22:00?").collect();
        assert_eq!(found, ["claim", "taxi", "after", "22", "00"]);
        let folded: Vec<String> = terms("Taxis policies links class bus").collect();
        assert_eq!(folded, ["taxi", "policy", "link", "class", "bus"]);
        assert_eq!(terms("the and of").count(), 0);
    }

    #[test]
    fn the_text_with_the_query_terms_ranks_first() {
        let index = Index::new(["cats purr softly", "dogs bark loudly", "cats and dogs play"]);
        let found = index.search("cats purr", 10);
        assert_eq!(found.iter().map(|(p, _)| *p).collect::<Vec<_>>(), [0, 2]);
        assert!(found[0].1 > found[1].1);
    }

    #[test]
    fn rare_terms_outweigh_common_ones() {
        let index = Index::new(["apple common", "banana common", "cherry common"]);
        let rare = index.search("banana", 1)[0].1;
        let common = index.search("common", 3)[0].1;
        assert!(rare > common, "{rare} <= {common}");
    }

    #[test]
    fn repeats_saturate_and_long_texts_are_normalised() {
        let index = Index::new([
            "tea",
            "tea tea tea tea tea tea",
            "tea other words here to pad it out",
        ]);
        let scores: HashMap<usize, f64> = index.search("tea", 3).into_iter().collect();
        // Six times the term is worth more than once, but far less than six times as much.
        assert!(scores[&1] > scores[&0] && scores[&1] < 2.0 * scores[&0]);
        // The same single occurrence counts for less in a longer text.
        assert!(scores[&2] < scores[&0]);
    }

    #[test]
    fn no_shared_term_no_result_and_ties_keep_their_order() {
        let index = Index::new(["same words", "same words", "other"]);
        assert!(index.search("unknown", 5).is_empty());
        assert!(index.search("", 5).is_empty());
        assert!(index.search("the of", 5).is_empty());
        let tied: Vec<usize> = index
            .search("same", 5)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(tied, [0, 1]);
        assert_eq!(index.search("same", 1).len(), 1);
        assert!(Index::new([]).search("anything", 3).is_empty());
    }
}
