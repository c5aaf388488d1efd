//! Profiling aid: renders the pages of a site on one thread, in memory,
//! and prints the time per page for each template (median of `ROUNDS`).
//! Steadier than timing whole builds on a shared machine, for comparing
//! template or context changes. usage: render_bench SITE [PAGES] [ROUNDS]
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use yishi::build::{check, SiteOptions};
use yishi::render::{PageJob, Renderer};
use yishi::url::Urls;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("site folder"));
    let per_template: usize = args.next().map_or(2000, |s| s.parse().unwrap());
    let rounds: usize = args.next().map_or(5, |s| s.parse().unwrap());
    let opts = SiteOptions {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 28),
        ..SiteOptions::new(&root)
    };
    let checked = check(&opts).expect("site checks");
    let urls = Urls::new(&checked.config.base_url, &checked.config.base_path());
    let renderer = Renderer::new(
        checked.theme,
        &checked.graph,
        &checked.config,
        urls,
        checked.context,
        checked.lean,
        None,
    )
    .expect("templates");
    // Up to `per_template` pages of each template, spread over the site.
    let mut by_template: BTreeMap<&str, Vec<PageJob>> = BTreeMap::new();
    for job in renderer.plan().jobs() {
        if matches!(job, PageJob::Artifact(_)) {
            continue;
        }
        by_template
            .entry(renderer.plan().template(job))
            .or_default()
            .push(job);
    }
    let mut total = 0.0;
    for (template, jobs) in &by_template {
        let step = (jobs.len() / per_template).max(1);
        let sample: Vec<PageJob> = jobs.iter().step_by(step).copied().collect();
        let mut times: Vec<Duration> = (0..rounds)
            .map(|_| {
                let t = Instant::now();
                for &job in &sample {
                    let (_, html) = renderer.render(job).expect("renders");
                    std::hint::black_box(html);
                }
                t.elapsed()
            })
            .collect();
        times.sort();
        let per_page = times[rounds / 2].as_secs_f64() / sample.len() as f64;
        let all = per_page * jobs.len() as f64;
        total += all;
        println!(
            "{template:14} {:>8.1} µs/page × {:>6} pages = {:>6.2} s",
            per_page * 1e6,
            jobs.len(),
            all
        );
    }
    println!("all pages, one thread: {total:.2} s");
}
