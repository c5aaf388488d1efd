//! Profiling aid: the time to write the open data files (`/data/`:
//! records.json and the CSV files) of a site, in memory. First for the
//! whole site, its first town and that town's first village (three copies
//! of a village's records), file by file; then for every data set.
//! usage: data_bench SITE, e.g. on a site from `gen_corpus`:
//! `cargo run --release --example data_bench -- SITE`.
//! (Formerly the ignored test `open_data::bench_large_site`.)
use std::path::PathBuf;
use std::time::Instant;

use yishi::build::{check, SiteOptions};
use yishi::publish::data::{self, DataFile};
use yishi::publish::Ctx;
use yishi::url::Urls;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Counts the bytes written to it.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).expect("usage: data_bench SITE"));
    let checked = match check(&SiteOptions {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 28),
        ..SiteOptions::new(&root)
    }) {
        Ok(c) => c,
        Err(e) => panic!("site does not check: {e:?}"),
    };
    let urls = Urls::new(&checked.config.base_url, &checked.config.base_path());
    let language = &checked.config.language;
    let text = &checked
        .theme
        .i18n
        .iter()
        .find(|(l, _)| l == language)
        .expect("theme strings")
        .1;
    let table: toml::Table = toml::from_str(text).expect("theme strings parse");
    let strings = serde_json::to_value(table).unwrap();
    let ctx = Ctx {
        graph: &checked.graph,
        config: &checked.config,
        urls: &urls,
        strings: &strings,
    };
    let sets = data::data_sets(&ctx);
    let town = sets
        .iter()
        .find(|s| s.dir.matches('/').count() == 2)
        .expect("a town");
    let village = sets
        .iter()
        .find(|s| s.dir.matches('/').count() == 3)
        .expect("a village");
    println!(
        "{} records; town {}, village {}",
        sets[0].records.len(),
        town.records.len(),
        village.records.len(),
    );
    let start = Instant::now();
    for file in DataFile::ALL {
        let t = Instant::now();
        let mut bytes = 0;
        for set in [&sets[0], town, village] {
            let mut out = Counter(0);
            file.write(
                &ctx,
                set,
                &mut std::io::BufWriter::with_capacity(1 << 16, &mut out),
            )
            .unwrap();
            bytes += out.0;
        }
        println!("  {}: {bytes} bytes in {:?}", file.name(), t.elapsed());
    }
    println!("site + town + village: {:?}", start.elapsed());
    let start = Instant::now();
    for set in &sets {
        for file in DataFile::ALL {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::sink());
            file.write(&ctx, set, &mut out).unwrap();
        }
    }
    println!("every set ({}): {:?}", sets.len(), start.elapsed());
}
