//! Profiling aid: one site rebuilt in memory again and again after touching
//! one record, as `yishi serve` does. usage: rebuild_profile SITE [ROUNDS]
use std::path::PathBuf;
use std::time::Instant;

use yishi::build::SiteOptions;
use yishi::workspace::Workspace;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("site folder"));
    let rounds: usize = args.next().map_or(10, |s| s.parse().unwrap());
    let mut ws = Workspace::new(SiteOptions {
        base_url: Some("http://127.0.0.1:1111/".into()),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 28),
        ..SiteOptions::new(&root)
    });
    ws.rebuild().expect("first build");
    let file = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "md"))
        .unwrap()
        .into_path();
    for n in 0..rounds {
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replacen("title: ", &format!("title: 改{n}"), 1)).unwrap();
        let t = Instant::now();
        let r = ws
            .rebuild_after(Some(std::slice::from_ref(&file)))
            .expect("rebuild");
        let stages: Vec<String> = r
            .timings
            .iter()
            .map(|(s, d)| format!("{s} {:.1}", d.as_secs_f64() * 1000.0))
            .collect();
        eprintln!(
            "{:.1} ms ({}) {}",
            t.elapsed().as_secs_f64() * 1000.0,
            r.rendered,
            stages.join(", ")
        );
    }
}
