//! Bombs and odd files in `content/`: each gives a clear error naming the
//! file, or builds within a documented limit, in bounded time and memory,
//! and nothing panics. Every run has a deadline: a hang fails the test
//! instead of hanging CI.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

const TOPIC: &str = "content/alpha/topics/2016-bridge.md";

/// A run of the binary with its wall time and peak resident memory.
struct Bounded {
    run: Run,
    took: Duration,
    /// Peak resident set size in KiB, as last sampled (0 on systems
    /// without `/proc`).
    max_rss_kib: u64,
}

/// `yishi <args> --root <site>`, killed and failed after `limit`.
fn run_bounded(site: &TempSite, args: &[&str], limit: Duration) -> Bounded {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(args)
        .arg("--root")
        .arg(site.root())
        .env_remove("SOURCE_DATE_EPOCH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let status_file = format!("/proc/{}/status", child.id());
    let started = Instant::now();
    let mut max_rss_kib = 0;
    let status = loop {
        // The high-water mark of the process's own memory (a fork's
        // `wait4` figure would count the test process's too). Sampled,
        // so a lower bound; a long run is sampled many times.
        if let Some(hwm) = std::fs::read_to_string(&status_file).ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        }) {
            max_rss_kib = max_rss_kib.max(hwm);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            let _ = child.wait();
            panic!(
                "yishi {args:?} still running after {limit:?}; stderr so far:\n{}",
                stderr.join().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = started.elapsed();
    let code = status.code().unwrap_or(-1);
    let run = Run {
        code,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    assert!(
        !run.stderr.contains("panicked") && !run.stdout.contains("panicked"),
        "{}",
        run.stderr
    );
    assert!(code >= 0, "killed by a signal: {}", run.stderr);
    Bounded {
        run,
        took,
        max_rss_kib,
    }
}

fn build_bounded(site: &TempSite, secs: u64) -> Bounded {
    run_bounded(
        site,
        &["build", "--as-of", AS_OF],
        Duration::from_secs(secs),
    )
}

/// A content error: exit code 1, `file` and each of `words` in the
/// message, nothing published.
fn assert_refused(site: &TempSite, b: &Bounded, file: &str, words: &[&str]) {
    assert_eq!(b.run.code, 1, "{}", b.run.stderr);
    assert!(
        b.run.stderr.contains(file),
        "{file} not named:\n{}",
        b.run.stderr
    );
    for w in words {
        assert!(
            b.run.stderr.contains(w),
            "{w:?} not said:\n{}",
            b.run.stderr
        );
    }
    assert!(!site.path("public").exists(), "a failed build published");
}

fn record(front: &str, body: &str) -> String {
    format!("---\ntitle: 炸弹\ntype: other\nproposed: 2020-01-01\n{front}---\n{body}")
}

#[test]
fn yaml_alias_expansion_is_refused() {
    // Billion laughs: nine levels of ten aliases each.
    let mut front = String::from("x_a0: &a0 [\"哈\", \"哈\", \"哈\", \"哈\", \"哈\", \"哈\", \"哈\", \"哈\", \"哈\", \"哈\"]\n");
    for i in 1..10 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        front.push_str(&format!("x_a{i}: &a{i} [{refs}]\n"));
    }
    let site = TempSite::new("valid");
    let file = "content/alpha/topics/laughs.md";
    site.write(file, &record(&front, "正文\n"));
    let b = build_bounded(&site, 60);
    assert_refused(&site, &b, &format!("{file}:5:"), &["不支持 YAML 锚点"]);
    // In a place file too.
    let site = TempSite::new("valid");
    site.write(
        "content/beta/_place.yaml",
        "name: &n 乙街道\nkind: street\nx: *n\n",
    );
    let b = build_bounded(&site, 60);
    assert_eq!(b.run.code, 1, "{}", b.run.stderr);
    assert!(
        b.run.stderr.contains("content/beta/_place.yaml:1:"),
        "{}",
        b.run.stderr
    );
}

#[test]
fn deep_yaml_is_refused() {
    let site = TempSite::new("valid");
    let front = format!("x_deep: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    site.write(TOPIC, &record(&front, "正文\n"));
    let b = build_bounded(&site, 60);
    assert_refused(&site, &b, &format!("{TOPIC}:5:"), &["YAML 嵌套超过 64 层"]);
    // Block nesting, and a mapping a level a line.
    let site = TempSite::new("valid");
    let front = format!("x_deep:\n  {}x\n", "- ".repeat(10_000));
    site.write(TOPIC, &record(&front, "正文\n"));
    let b = build_bounded(&site, 60);
    assert_refused(&site, &b, TOPIC, &["YAML 嵌套超过 64 层"]);
    let site = TempSite::new("valid");
    let front: String = (0..3_000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    site.write(TOPIC, &record(&format!("x_deep:\n{front}"), "正文\n"));
    let b = build_bounded(&site, 60);
    assert_refused(&site, &b, TOPIC, &["YAML 嵌套超过 64 层"]);
}

#[test]
fn a_50_mb_record_is_refused_unread() {
    let site = TempSite::new("valid");
    let line = "会议记录：村民代表发言，讨论便民桥的选址、资金与工期安排。\n";
    let body = line.repeat(50 * 1024 * 1024 / line.len() + 1);
    site.write(TOPIC, &record("", &body));
    let b = build_bounded(&site, 60);
    assert_refused(
        &site,
        &b,
        TOPIC,
        &["文件过大（50.0 MB），记录文件最大 8 MB"],
    );
    // Refused without reading it: far less memory than the file.
    assert!(b.max_rss_kib < 40 * 1024, "peak {} KiB", b.max_rss_kib);
    eprintln!("50 MB record: {:?}, peak {} KiB", b.took, b.max_rss_kib);
    // A place file too.
    let site = TempSite::new("valid");
    let big = format!("name: 乙街道\nkind: street\n# {}\n", "x".repeat(9 << 20));
    site.write("content/beta/_place.yaml", &big);
    let b = build_bounded(&site, 60);
    assert_refused(&site, &b, "content/beta/_place.yaml", &["文件过大"]);
}

#[test]
fn a_million_line_body_builds_in_bounded_time_and_memory() {
    let site = TempSite::new("valid");
    let mut body = String::from("开头的文字。\n\n");
    for i in 0..1_000_000 {
        body.push_str(["甲\n", "乙\n", "\n", "丙\n"][i % 4]);
    }
    body.push_str("\n结尾的文字。\n");
    assert!(body.len() < 8 << 20);
    site.write(TOPIC, &record("", &body));
    // A debug build on a busy machine: generous; see the README's limits
    // for the release build's numbers.
    let b = build_bounded(&site, 300);
    b.run.assert_success();
    eprintln!(
        "million-line body: {:?}, peak {} KiB",
        b.took, b.max_rss_kib
    );
    assert!(b.max_rss_kib < 1024 * 1024, "peak {} KiB", b.max_rss_kib);
    let page = site.page("alpha/topics/2016-bridge/");
    assert!(page.contains("结尾的文字。"));
}

#[test]
fn invalid_utf8_names_file_and_offset() {
    let site = TempSite::new("valid");
    let mut bytes = record("", "正文").into_bytes();
    let at = bytes.len();
    bytes.extend_from_slice(b"\xD2\xE9\xff\n");
    site.write_bytes(TOPIC, &bytes);
    let b = build_bounded(&site, 60);
    assert_refused(
        &site,
        &b,
        &format!("{TOPIC}:6:"),
        &["不是 UTF-8", &format!("第 {at} 字节")],
    );
}

#[test]
fn nul_bytes_are_blanked_with_a_bounded_number_of_warnings() {
    let site = TempSite::new("valid");
    let mut body = String::from("正文\0第一行。\n");
    for _ in 0..100_000 {
        body.push_str("空\0字符\n");
    }
    site.write(TOPIC, &record("x_note: \"甲\\0乙\"\n", &body));
    let b = build_bounded(&site, 120);
    b.run.assert_success();
    let warnings = b.run.stderr.matches("已删除控制字符 U+0000").count();
    assert_eq!(
        warnings,
        20,
        "{}",
        &b.run.stderr[..2000.min(b.run.stderr.len())]
    );
    assert!(
        b.run.stderr.contains("另有 99981 行的控制字符也已改为空格"),
        "{}",
        b.run.stderr.len()
    );
    // The escape in the front matter, too.
    assert!(b.run.stderr.contains("转义写出的控制字符 U+0000"));
    for (name, bytes) in files_in(&site.path("public")) {
        // The search index's `.bin` shards are binary.
        if !name.ends_with(".bin") {
            assert!(!bytes.contains(&0), "{name} holds a NUL");
        }
    }
}

#[test]
fn utf16_is_a_clear_error() {
    let text = record("", "正文\n");
    let le_bom: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be_bom: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    for bytes in [le_bom, be_bom, le] {
        let site = TempSite::new("valid");
        site.write_bytes(TOPIC, &bytes);
        let b = build_bounded(&site, 60);
        assert_refused(
            &site,
            &b,
            &format!("{TOPIC}:1:1"),
            &["UTF-16", "另存为 UTF-8"],
        );
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_does_not_block_the_build() {
    let site = TempSite::new("valid");
    let fifo = site.path("content/alpha/topics/pipe.md");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let place_fifo = site.path("content/beta/garden/_place.yaml");
    std::fs::remove_file(&place_fifo).unwrap();
    assert!(Command::new("mkfifo")
        .arg(&place_fifo)
        .status()
        .unwrap()
        .success());
    // Nothing writes to them: reading either would wait forever.
    let b = build_bounded(&site, 60);
    assert_refused(
        &site,
        &b,
        "content/alpha/topics/pipe.md",
        &["不是普通文件或文件夹", "content/beta/garden/_place.yaml"],
    );
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let site = TempSite::new("valid");
    let path = site.path(TOPIC);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        // Root (as in CI containers) reads whatever the mode says.
        eprintln!("skipped: running as root, a mode-000 file is still readable");
        return;
    }
    let b = build_bounded(&site, 60);
    assert_refused(&site, &b, TOPIC, &["无法读取文件"]);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let dir = site.path("content/alpha/west/topics");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    let b = build_bounded(&site, 60);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_refused(&site, &b, "content/alpha/west/topics", &["无法读取"]);
}

#[cfg(unix)]
#[test]
fn links_out_of_the_site_are_refused_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    std::fs::write(&secret, record("", "外部的秘密内容 SECRET-OUTSIDE\n")).unwrap();
    std::fs::create_dir_all(outside.path().join("sub/topics")).unwrap();
    std::fs::write(
        outside.path().join("sub/_place.yaml"),
        "name: 外\nkind: village\n",
    )
    .unwrap();
    std::fs::write(
        outside.path().join("sub/topics/t.md"),
        record("", "SECRET-DIR\n"),
    )
    .unwrap();
    let site = TempSite::new("valid");
    let link = |target: &std::path::Path, at: &str| {
        std::os::unix::fs::symlink(target, site.path(at)).unwrap();
    };
    link(&secret, "content/alpha/topics/secret.md");
    link(&outside.path().join("sub"), "content/alpha/outside");
    link(&outside.path().join("sub/topics"), "content/beta/topics");
    link(
        std::path::Path::new("/etc/passwd"),
        "content/beta/garden/sessions/files/passwd.pdf",
    );
    site.remove("content/_place.yaml");
    link(&secret, "content/_place.yaml");
    let b = build_bounded(&site, 60);
    assert_refused(
        &site,
        &b,
        "content/alpha/topics/secret.md",
        &[
            "content/alpha/outside",
            "content/beta/topics",
            "content/beta/garden/sessions/files/passwd.pdf",
            "content/_place.yaml",
            "符号链接",
        ],
    );
    assert!(!b.run.stderr.contains("SECRET"), "{}", b.run.stderr);
    assert!(
        b.run.stderr.matches("符号链接").count() >= 5,
        "{}",
        b.run.stderr
    );
}

#[test]
fn names_that_collide_on_common_file_systems_are_an_error() {
    let dir = "content/beta/garden/sessions/files";
    let cases: [(&str, &str); 4] = [
        ("Plan.pdf", "plan.pdf"),
        // é composed (NFC) and decomposed (NFD: e + U+0301).
        ("caf\u{e9}.pdf", "cafe\u{301}.pdf"),
        // A CJK compatibility ideograph and its unified form.
        ("\u{f900}表.pdf", "\u{8c48}表.pdf"),
        // Case and normalisation together, in a subfolder name.
        ("\u{c9}TAT/a.pdf", "e\u{301}tat/a.pdf"),
    ];
    for (one, two) in cases {
        let site = TempSite::new("valid");
        site.write_bytes(&format!("{dir}/{one}"), b"%PDF-1.4\n");
        site.write_bytes(&format!("{dir}/{two}"), b"%PDF-1.4\n");
        let b = build_bounded(&site, 60);
        assert_refused(
            &site,
            &b,
            &format!("{dir}/{one}"),
            &[&format!("{dir}/{two}"), "只差大小写或 Unicode 写法"],
        );
    }
    // Records are slugs (lowercase ASCII): an uppercase name is an error of
    // its own, so `A.md` and `a.md` cannot both be published.
    let site = TempSite::new("valid");
    site.write("content/alpha/topics/A.md", &record("", "正文\n"));
    site.write("content/alpha/topics/a.md", &record("", "正文\n"));
    let b = build_bounded(&site, 60);
    assert_refused(&site, &b, "content/alpha/topics/A.md", &[]);
    // Distinct names stay distinct.
    let site = TempSite::new("valid");
    site.write_bytes(&format!("{dir}/表1.pdf"), b"%PDF-1.4\n");
    site.write_bytes(&format!("{dir}/表2.pdf"), b"%PDF-1.4\n");
    build_bounded(&site, 60).run.assert_success();
}

#[test]
fn thousands_of_personal_numbers_give_a_bounded_report() {
    // A pasted roster: 100,000 mobile numbers, one a line (took minutes
    // when each position was counted from the start of the file).
    let site = TempSite::new("valid");
    let body: String = (0..100_000)
        .map(|i| format!("电话 1381234{:04}\n\n", i % 10_000))
        .collect();
    site.write(TOPIC, &record("", &body));
    let b = run_bounded(
        &site,
        &["check", "--as-of", AS_OF],
        Duration::from_secs(120),
    );
    assert_eq!(b.run.code, 1, "{}", b.run.stderr);
    assert_eq!(b.run.stderr.matches("发现疑似手机号").count(), 50);
    assert!(
        b.run.stderr.contains("另有 99950 处疑似个人号码"),
        "{}",
        b.run.stderr.len()
    );
    assert!(b.run.stderr.contains(&format!("{TOPIC}:6:4")));
}
