//! Function words of the supported languages: words that carry no topic on their own. Used
//! where a query's or a phrase's meaning must not hinge on them (the all-words ranking tier,
//! suggestion phrases); the index itself keeps every word, so phrases still match exactly.

const WORDS: &[&str] = &[
    // English
    "a", "about", "above", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be",
    "been", "being", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing",
    "during", "each", "for", "from", "further", "had", "has", "have", "having", "he", "her",
    "here", "his", "how", "i", "if", "in", "into", "is", "it", "its", "may", "me", "more", "most",
    "must", "my", "no", "nor", "not", "of", "on", "once", "only", "or", "other", "our", "out",
    "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
    "until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "would", "you", "your", // Spanish
    "al", "como", "con", "de", "del", "el", "en", "es", "esta", "este", "la", "las", "lo", "los",
    "más", "o", "para", "pero", "por", "que", "se", "sin", "sobre", "su", "sus", "un", "una", "y",
];

/// True for a lower-case function word.
pub fn is_stopword(word: &str) -> bool {
    WORDS.contains(&word)
}
