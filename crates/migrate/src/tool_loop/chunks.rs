//! Documents kept to the size Cohere recommends for each one it is given (a few hundred
//! words): a longer one is split into chunks of its longest field, each chunk a document of
//! its own with the other fields beside it, and where it came from recorded.

use serde_json::{Map, Value};

use super::sources::Chunk;

/// The most words one document given to the model holds: Cohere's guides recommend
/// documents of at most about 300 words.
pub const MAX_DOCUMENT_WORDS: usize = 300;
/// The most words the fields beside the split one keep together (the rest cut off).
pub const MAX_BESIDE_WORDS: usize = 100;
/// The most chunks one document becomes; words past them are left out (and the chunk says
/// so).
pub const MAX_CHUNKS_PER_DOCUMENT: usize = 8;

/// One piece of a document: its fields, and which chunk it is (none when it was not split).
pub(crate) struct Piece {
    pub data: Map<String, Value>,
    pub chunk: Option<Chunk>,
}

/// `data` as the pieces the model is given: itself when it has at most
/// [`MAX_DOCUMENT_WORDS`] words; otherwise chunks of its `text` field (or its longest), each
/// with the other fields cut to [`MAX_BESIDE_WORDS`] words together.
pub(crate) fn pieces(data: Map<String, Value>) -> Vec<Piece> {
    let words = |value: &Value| {
        value
            .as_str()
            .map_or(0, |text| text.split_whitespace().count())
    };
    let total = data.values().map(words).fold(0, usize::saturating_add);
    if total <= MAX_DOCUMENT_WORDS {
        return vec![Piece { data, chunk: None }];
    }
    let field = if data.get("text").is_some_and(|text| words(text) > 0) {
        "text".to_owned()
    } else {
        data.iter()
            .max_by_key(|(_, value)| words(value))
            .map(|(key, _)| key.clone())
            .unwrap_or_default()
    };
    let body = data
        .get(&field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let (beside, beside_cut) = beside(&data, &field);
    let used = beside.values().map(words).fold(0, usize::saturating_add);
    let per_chunk = MAX_DOCUMENT_WORDS.saturating_sub(used).max(1);
    let spans = word_spans(&body);
    let count = spans
        .len()
        .div_ceil(per_chunk)
        .clamp(1, MAX_CHUNKS_PER_DOCUMENT);
    let truncated = beside_cut || spans.len() > count.saturating_mul(per_chunk);
    (0..count)
        .map(|index| {
            let start_word = index.saturating_mul(per_chunk).min(spans.len());
            let end_word = start_word.saturating_add(per_chunk).min(spans.len());
            let text = match (
                spans.get(start_word),
                end_word.checked_sub(1).and_then(|last| spans.get(last)),
            ) {
                (Some(first), Some(last)) => body.get(first.0..last.1).unwrap_or_default(),
                _ => "",
            };
            let mut data = beside.clone();
            data.insert(field.clone(), Value::String(text.to_owned()));
            Piece {
                data,
                chunk: Some(Chunk {
                    index,
                    count,
                    field: field.clone(),
                    start_word,
                    end_word,
                    truncated,
                }),
            }
        })
        .collect()
}

/// The fields other than `split`, in order, cut to [`MAX_BESIDE_WORDS`] words together;
/// and whether anything was cut.
fn beside(data: &Map<String, Value>, split: &str) -> (Map<String, Value>, bool) {
    let mut left = MAX_BESIDE_WORDS;
    let mut cut = false;
    let mut kept = Map::new();
    for (key, value) in data.iter().filter(|(key, _)| key.as_str() != split) {
        let text = value.as_str().unwrap_or_default();
        let spans = word_spans(text);
        if spans.len() <= left {
            left = left.saturating_sub(spans.len());
            kept.insert(key.clone(), value.clone());
            continue;
        }
        cut = true;
        if left == 0 {
            continue;
        }
        let end = spans.get(left.saturating_sub(1)).map_or(0, |span| span.1);
        kept.insert(
            key.clone(),
            Value::String(text.get(..end).unwrap_or_default().to_owned()),
        );
        left = 0;
    }
    (kept, cut)
}

/// The byte ranges of the words of `text` (runs of non-whitespace).
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(from)) => {
                spans.push((from, at));
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(from) = start {
        spans.push((from, text.len()));
    }
    spans
}

#[cfg(test)]
// Test arithmetic on small, known numbers.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(n: usize, from: usize) -> String {
        (from..from + n)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_short_document_is_one_piece_unchanged() {
        let data = Map::from_iter([("text".to_owned(), Value::String(words(300, 0)))]);
        let pieces = pieces(data.clone());
        assert_eq!(pieces.len(), 1);
        assert_eq!(pieces[0].data, data);
        assert!(pieces[0].chunk.is_none());
    }

    #[test]
    fn a_long_text_is_chunked_with_its_title_beside_each_chunk() {
        let data = Map::from_iter([
            ("title".to_owned(), Value::String("Tea policy".into())),
            ("text".to_owned(), Value::String(words(700, 0))),
        ]);
        let pieces = pieces(data);
        assert_eq!(pieces.len(), 3);
        let chunk = pieces[1].chunk.as_ref().unwrap();
        assert_eq!(
            (chunk.index, chunk.count, chunk.start_word, chunk.end_word),
            (1, 3, 298, 596)
        );
        assert_eq!(pieces[1].data["title"], "Tea policy");
        assert_eq!(pieces[1].data["text"], words(298, 298));
        assert!(!chunk.truncated);
    }

    proptest! {
        /// Whatever the fields, every piece keeps to the size, the chunks cover the split
        /// field's words in order (what is left out is said), and each chunk's text is the
        /// document's own.
        #[test]
        fn pieces_keep_to_the_size_and_say_where_they_came_from(
            fields in proptest::collection::btree_map("[a-z]{1,6}", "[a-z ]{0,40}|( ?[a-z]{1,3}){0,900}", 0..6)
        ) {
            let data: Map<String, Value> = fields.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
            let pieces = pieces(data.clone());
            prop_assert!(!pieces.is_empty() && pieces.len() <= MAX_CHUNKS_PER_DOCUMENT);
            let mut next_word = 0;
            for piece in &pieces {
                let count: usize = piece.data.values().map(|v| v.as_str().unwrap().split_whitespace().count()).sum();
                if let Some(chunk) = &piece.chunk {
                    prop_assert!(count <= MAX_DOCUMENT_WORDS, "{count}");
                    prop_assert_eq!(chunk.start_word, next_word);
                    next_word = chunk.end_word;
                    let original = data[&chunk.field].as_str().unwrap();
                    let text = piece.data[&chunk.field].as_str().unwrap();
                    prop_assert!(original.contains(text));
                    let all: Vec<&str> = original.split_whitespace().collect();
                    prop_assert_eq!(text.split_whitespace().collect::<Vec<_>>(), all[chunk.start_word..chunk.end_word].to_vec());
                    if chunk.index + 1 == chunk.count && !chunk.truncated {
                        prop_assert_eq!(chunk.end_word, all.len());
                    }
                } else {
                    prop_assert_eq!(&piece.data, &data);
                }
            }
        }
    }
}
