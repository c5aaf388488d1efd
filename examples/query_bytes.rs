//! What one search downloads on a built site: for each query, the files and
//! bytes the browser client fetches for the first page of results (the
//! client's algorithm, as mirrored by `yishi::search::reader`).
//!
//! ```text
//! cargo run --release --example query_bytes -- public 道路硬化 拆迁 预算
//! ```

use yishi::search::reader::{Query, Reader};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: query_bytes OUTPUT_DIR QUERY...");
        std::process::exit(2);
    };
    let root = std::path::PathBuf::from(dir).join("search");
    let Some(reader) = Reader::open(|p: &str| std::fs::read(root.join(p)).ok()) else {
        eprintln!("no search index in {}", root.display());
        std::process::exit(1);
    };
    let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let out = root.parent().unwrap_or(&root).to_path_buf();
    let fixed = size(&root.join("meta.json"))
        + size(&root.join("facets.json"))
        + size(&out.join("js/search.js"));
    println!(
        "Once per visit: meta.json, facets.json and js/search.js, {:.0} KB. Per query:\n",
        fixed as f64 / 1024.0
    );
    println!("| query | results | files | KB | KB with the once-per-visit files |");
    println!("|---|---|---|---|---|");
    for q in args {
        let query = Query {
            q: q.clone(),
            ..Query::default()
        };
        match reader.search(&query, 10) {
            Some(r) => println!(
                "| {q} | {}{} | {} | {:.0} | {:.0} |",
                if r.exact { "" } else { "≥" },
                r.total,
                r.files,
                r.bytes as f64 / 1024.0,
                (r.bytes + fixed) as f64 / 1024.0
            ),
            None => println!("| {q} | (failed) | | |"),
        }
        if std::env::var_os("QUERY_BYTES_FILES").is_some() {
            if let Some(r) = reader.search(&query, 10) {
                eprintln!("{q}: {:?}; shown {}", r.fetched, r.hits.len());
            }
        }
    }
}
