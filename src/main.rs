//! The `yishi` command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use yishi::build::{self, BuildError, BuildOptions, SiteOptions};
use yishi::diagnostic::{self, Diagnostic};

/// mimalloc: builds allocate millions of small strings and JSON values from
/// several threads at once, where it is much faster than the system's.
/// (`--no-default-features` uses the system allocator, for heap profilers.)
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A one-off build keeps the memory it frees for its next allocations
/// instead of handing it back to the system: mimalloc's default returns it
/// after 10 ms, and a build that renders 100,000 pages then faults tens of
/// thousands of pages back in (measured: 26,000 to 49,000 page faults and
/// about 1 s of system time on 100,000 records, against 1,300). Peak
/// memory is unchanged. Not for `serve`, which should shrink when idle.
fn keep_freed_memory() {
    #[cfg(feature = "mimalloc")]
    {
        // `mi_option_purge_delay` in mimalloc.h (the crate names no constant
        // for it); -1: never purge.
        const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
        // SAFETY: sets a plain integer option; mimalloc reads it when it
        // would purge.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
}

#[derive(Parser)]
#[command(
    name = "yishi",
    version,
    about = "议事：基层协商民主公开平台的静态网站生成器"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 生成网站：把 content/ 中的记录生成到输出文件夹（默认 public/）
    Build(BuildArgs),
    /// 只检查记录，不生成网站（所有问题一次列出）
    Check(CheckArgs),
    /// 本地预览：生成网站并在本机提供访问，修改文件后自动更新打开的页面
    Serve(ServeArgs),
    /// 新建议题、会议、成果或地点：放进正确的文件夹，起好文件名，填好必填项
    New(NewArgs),
    /// git 钩子：yishi hook install 让每次提交前先检查要提交的记录，有错误就不提交
    Hook(HookArgs),
    /// 新建网站：写好 site.toml、第一个镇和村、示例记录和说明，马上就能生成
    Init(InitArgs),
    /// 写出供编辑器使用的 JSON Schema（议题、会议、成果、_place.yaml、site.toml），含本站词表
    Schema(SchemaArgs),
}

#[derive(Args)]
struct SchemaArgs {
    /// 写到哪个文件夹（相对于站点根目录）
    #[arg(long, default_value = "schemas")]
    output: PathBuf,
    /// 站点根目录（读取其中 site.toml 的词表；没有 site.toml 时用内置词表）
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

#[derive(Args)]
struct InitArgs {
    /// 在哪个文件夹建立网站（默认当前文件夹；须为空或不存在）
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// 网站名称
    #[arg(long)]
    title: Option<String>,
    /// 网站网址，如 https://example.org/
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// 界面语言：zh-CN、zh-TW、zh-HK 或 en
    #[arg(long)]
    language: Option<String>,
    /// 第一个镇（街道）的名称
    #[arg(long)]
    town: Option<String>,
    /// 镇的文件夹名（默认由名称的拼音生成）
    #[arg(long)]
    town_slug: Option<String>,
    /// 镇的 12 位区划代码
    #[arg(long)]
    town_code: Option<String>,
    /// 第一个村（社区）的名称
    #[arg(long)]
    village: Option<String>,
    /// 村的文件夹名（默认由名称的拼音生成）
    #[arg(long)]
    village_slug: Option<String>,
    /// 村的 12 位区划代码
    #[arg(long)]
    village_code: Option<String>,
    /// 文件夹不是空的也建立（不覆盖已有文件）
    #[arg(long)]
    force: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum HookAction {
    /// 安装 pre-commit 钩子
    Install,
}

#[derive(Args)]
struct HookArgs {
    #[arg(value_enum)]
    action: HookAction,
    /// 站点根目录（site.toml 所在处，须在 git 仓库中）
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum NewKindArg {
    /// 议题
    Topic,
    /// 协商会议
    Session,
    /// 协商成果
    Outcome,
    /// 地点（镇、村）
    Place,
}

#[derive(Args)]
struct NewArgs {
    /// 要新建的：topic（议题）、session（会议）、outcome（成果）或 place（地点）
    #[arg(value_enum)]
    kind: NewKindArg,
    /// 记录所属地点的路径，如 hetang/xiahu；新建地点时为新地点的路径
    place: String,
    /// 标题（地点：名称）
    #[arg(long)]
    title: Option<String>,
    /// 日期（YYYY-MM-DD；默认今天）
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    date: Option<NaiveDate>,
    /// 会议、成果所属的议题：同一地点写文件名，如 2026-road；其他地点写 镇/村/2026-road
    #[arg(long)]
    topic: Option<String>,
    /// 议题类型、协商形式、协商结果或地点类型（写英文名或中文名）；默认：其他、村(居)民代表会议、通过、镇/村
    #[arg(long = "type", value_name = "TERM")]
    choice: Option<String>,
    /// 文件名（不含 .md）；默认由年份和标题的拼音组成
    #[arg(long)]
    slug: Option<String>,
    /// 地点的 12 位统计用区划代码
    #[arg(long)]
    code: Option<String>,
    /// 站点根目录（site.toml 所在处）
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

#[derive(Args)]
struct CommonArgs {
    /// 站点根目录（site.toml 所在处）
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// 包含草稿（draft: true）
    #[arg(long)]
    drafts: bool,
    /// 基准日期：议题状态、“逾期”“即将召开”都以这一天为准（YYYY-MM-DD；默认今天，或 SOURCE_DATE_EPOCH）
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    as_of: Option<NaiveDate>,
    /// 只显示错误
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// 显示各阶段用时等详细信息
    #[arg(long, short)]
    verbose: bool,
    /// 记录数超过此值时按大型站点处理以节省内存：正文留在磁盘上、生成时再读，记录卡片不常驻内存
    #[arg(long, value_name = "N", default_value_t = yishi::build::LEAN_ABOVE)]
    lean_above: usize,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// 端口
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// 监听地址（默认只允许本机访问）
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// 启动后在浏览器中打开
    #[arg(long)]
    open: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// 给人看：带出错的行和提示
    Human,
    /// 每个问题一行 JSON（file、line、column、end_line、end_column、severity、code、message、hint）
    Json,
    /// GitHub Actions 的标注（::error file=…,line=…::…），在拉取请求中标到出错的行
    Github,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// 问题的输出格式
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// 有警告也算不通过（退出码 1）
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// 输出文件夹（相对于站点根目录）
    #[arg(long, default_value = "public")]
    output: PathBuf,
    /// 网站地址，覆盖 site.toml 中的 base_url
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// 允许首次生成到一个已有文件、但没有 yishi 记录的文件夹（其中原有的文件保留，不删除）
    #[arg(long)]
    force: bool,
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    yishi::date::parse_date(s)
}

fn site_options(common: &CommonArgs, base_url: Option<String>) -> SiteOptions {
    SiteOptions {
        root: common.root.clone(),
        base_url,
        drafts: common.drafts,
        as_of: common.as_of,
        lean_above: common.lean_above,
        ..SiteOptions::new(&common.root)
    }
}

fn print_diagnostics(common: &CommonArgs, diags: &[Diagnostic]) {
    let shown: Vec<Diagnostic> = diags
        .iter()
        .filter(|d| d.is_error() || !common.quiet)
        .cloned()
        .collect();
    if !shown.is_empty() {
        eprint!("{}", diagnostic::render(&shown, &common.root));
    }
}

/// Which command failed: `check` never writes, so its footer says nothing
/// about the output.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Failed {
    Check,
    Build,
}

fn fail(common: &CommonArgs, e: BuildError, command: Failed) -> ExitCode {
    match &e {
        BuildError::Content(diags) => {
            print_diagnostics(common, diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            match command {
                Failed::Check => eprintln!("发现 {errors} 个错误。"),
                Failed::Build => {
                    eprintln!("发现 {errors} 个错误，未生成网站（原有的输出保持不变）。")
                }
            }
        }
        BuildError::Usage(_) | BuildError::Io { .. } => eprintln!("错误：{e}"),
    }
    ExitCode::from(e.exit_code() as u8)
}

/// `--verbose`: the output by kind, in files, bytes and bytes per record.
fn print_bytes(report: &build::BuildReport) {
    let total: u64 = report.bytes.iter().map(|b| b.2).sum();
    let per = |b: u64| b as f64 / report.records.max(1) as f64;
    eprintln!("  output, by kind:          files          bytes   bytes/record");
    for (kind, files, bytes) in &report.bytes {
        eprintln!(
            "    {kind:<13} {files:>12} {bytes:>14} {:>14.0}",
            per(*bytes)
        );
    }
    let files: usize = report.bytes.iter().map(|b| b.1).sum();
    eprintln!(
        "    {:<13} {files:>12} {total:>14} {:>14.0}",
        "total",
        per(total)
    );
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let started = Instant::now();
    match cli.command {
        Command::Build(args) => {
            keep_freed_memory();
            let opts = BuildOptions {
                site: site_options(&args.common, args.base_url.clone()),
                output: args.output.clone(),
                progress: !args.common.quiet && std::io::stderr().is_terminal(),
                force: args.force,
            };
            match build::build(&opts) {
                Ok(report) => {
                    if let Some(note) = recovery_note(&report.recovered) {
                        eprintln!("{note}");
                    }
                    print_diagnostics(&args.common, &report.warnings);
                    if args.common.verbose {
                        for (stage, d) in &report.timings {
                            eprintln!("  {stage:<9} {:>8.1} ms", d.as_secs_f64() * 1000.0);
                        }
                        eprintln!("  render, by output (summed over threads):");
                        for (what, d) in &report.work {
                            eprintln!("    {what:<13} {:>8.1} ms", d.as_secs_f64() * 1000.0);
                        }
                        print_bytes(&report);
                    }
                    if !args.common.quiet {
                        let out = if args.output.is_absolute() {
                            args.output.clone()
                        } else {
                            args.common.root.join(&args.output)
                        };
                        println!(
                            "已生成 {} 个页面（{} 条记录，{} 个静态文件和附件；写入 {} 个文件，删除 {} 个），用时 {:.2} 秒 → {}",
                            report.pages,
                            report.records,
                            report.files,
                            report.written.written,
                            report.written.removed,
                            started.elapsed().as_secs_f64(),
                            out.display()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&args.common, e, Failed::Build),
            }
        }
        Command::Serve(args) => {
            let opts = yishi::serve::ServeOptions {
                site: site_options(&args.common, None),
                port: args.port,
                bind: args.bind,
                open: args.open,
                quiet: args.common.quiet,
                verbose: args.common.verbose,
            };
            match yishi::serve::run(opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    if !matches!(e, BuildError::Content(_)) {
                        eprintln!("错误：{e}");
                    }
                    ExitCode::from(e.exit_code() as u8)
                }
            }
        }
        Command::Schema(args) => {
            let vocab = if args.root.join(yishi::config::FILE).exists() {
                match yishi::config::SiteConfig::load(&args.root) {
                    Ok(c) => c.vocabularies,
                    Err(d) => {
                        eprint!("{}", diagnostic::render(&d.sorted(), &args.root));
                        return ExitCode::from(1);
                    }
                }
            } else {
                yishi::vocab::Vocabularies::default()
            };
            let dir = args.root.join(&args.output);
            let written = std::fs::create_dir_all(&dir).and_then(|()| {
                yishi::schema::schemas(&vocab)
                    .into_iter()
                    .map(|(name, s)| {
                        let path = dir.join(name);
                        let text =
                            serde_json::to_string_pretty(&s).map_err(std::io::Error::other)?;
                        std::fs::write(&path, text + "\n").map(|()| path)
                    })
                    .collect::<std::io::Result<Vec<_>>>()
            });
            match written {
                Ok(paths) => {
                    for p in paths {
                        println!("{}", p.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("错误：{}: {e}", dir.display());
                    ExitCode::from(2)
                }
            }
        }
        Command::Init(args) => {
            let opts = yishi::init::InitOptions {
                title: args.title,
                base_url: args.base_url,
                language: args.language,
                town: args.town,
                town_slug: args.town_slug,
                town_code: args.town_code,
                village: args.village,
                village_slug: args.village_slug,
                village_code: args.village_code,
                force: args.force,
            };
            match yishi::init::init(&args.dir, opts) {
                Ok(files) => {
                    for f in &files {
                        println!("{}", f.display());
                    }
                    eprintln!(
                        "网站已建立在 {}：运行 yishi serve --open 预览，yishi build 生成；说明见其中的 README.md。",
                        args.dir.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("错误：{e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Hook(args) => match args.action {
            HookAction::Install => match yishi::hook::install(&args.root) {
                Ok(path) => {
                    println!(
                        "已安装 {}：以后每次提交前都会检查要提交的记录，有错误就不提交。",
                        path.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("错误：{e}");
                    ExitCode::from(2)
                }
            },
        },
        Command::New(args) => {
            use yishi::scaffold::{self, NewKind, NewRecord};
            let kind = match args.kind {
                NewKindArg::Topic => NewKind::Topic,
                NewKindArg::Session => NewKind::Session,
                NewKindArg::Outcome => NewKind::Outcome,
                NewKindArg::Place => NewKind::Place,
            };
            let what = NewRecord {
                place: args.place,
                title: args.title,
                date: args.date,
                topic: args.topic,
                choice: args.choice,
                slug: args.slug,
                code: args.code,
            };
            match scaffold::create(&args.root, kind, &what) {
                Ok(path) => {
                    println!("{}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("错误：{e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Check(args) => {
            keep_freed_memory();
            let common = &args.common;
            let result = build::check(&site_options(common, None));
            if args.format != Format::Human {
                return check_for_tools(&args, result);
            }
            match result {
                Ok(checked) if args.deny_warnings && !checked.warnings.is_empty() => {
                    print_diagnostics(common, &checked.warnings);
                    eprintln!(
                        "发现 {} 个警告（--deny-warnings：警告也算不通过）。",
                        checked.warnings.len()
                    );
                    ExitCode::from(1)
                }
                Ok(checked) => {
                    print_diagnostics(common, &checked.warnings);
                    if !common.quiet {
                        println!(
                            "检查通过：{} 条记录，{} 个地点，{} 个警告，用时 {:.2} 秒",
                            checked.graph.site.records.len(),
                            // Places described by a `_place.yaml`: the
                            // content root counts only when it has one.
                            checked
                                .graph
                                .site
                                .places
                                .iter()
                                .filter(|p| p.depth() > 0 || p.kind.is_some())
                                .count(),
                            checked.warnings.len(),
                            started.elapsed().as_secs_f64()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(common, e, Failed::Check),
            }
        }
    }
}

/// `check --format json|github`: every problem on standard output in the
/// tools' format, nothing else there; the exit code as for people.
fn check_for_tools(args: &CheckArgs, result: Result<build::Checked, BuildError>) -> ExitCode {
    let line = |d: &Diagnostic| match args.format {
        Format::Github => d.to_github(),
        _ => d.to_json(),
    };
    let (diags, code) = match result {
        Ok(checked) => {
            let failed = args.deny_warnings && !checked.warnings.is_empty();
            (checked.warnings, if failed { 1 } else { 0 })
        }
        Err(BuildError::Content(diags)) => (diags, 1),
        Err(e) => {
            // Not a problem of one file: a usage or I/O error.
            let d = Diagnostic::error(args.common.root.display().to_string(), None, e.to_string());
            println!("{}", line(&d));
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    for d in diags.iter().filter(|d| d.is_error() || !args.common.quiet) {
        println!("{}", line(d));
    }
    ExitCode::from(code)
}

/// What to tell a clerk about what an interrupted build had left.
fn recovery_note(r: &yishi::output::Recovered) -> Option<String> {
    use yishi::output::Recovered;
    match r {
        Recovered::Nothing => None,
        Recovered::DroppedStaging(p) => Some(format!(
            "注意：上一次生成在发布前被中断，网站一直是上一次发布的内容；它在暂存文件夹 {} 中写下的文件不会发布（下次发布前逐个核对）。",
            p.display()
        )),
        Recovered::FinishedPublish => {
            Some("注意：上一次生成在发布新网站后被中断，已完成它的收尾工作。".into())
        }
        Recovered::CompletedPublish => {
            Some("注意：上一次生成在替换网站的途中被中断，已把新网站放到位。".into())
        }
    }
}
