//! Static full-text search index (to be written).
