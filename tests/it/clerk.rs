//! `yishi new`: a clerk adds a topic, a session and an outcome (and a
//! place) without copying an old file; the site checks clean at once.

use crate::common::*;

fn new(site: &TempSite, args: &[&str]) -> Run {
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    site.run(&all)
}

#[test]
fn a_clerk_adds_a_topic_session_and_outcome_that_check_clean() {
    let site = demo_site();
    let topic = new(
        &site,
        &[
            "topic",
            "hetang/xiahu",
            "--title",
            "下湖村村道路灯安装",
            "--type",
            "项目建设",
            "--date",
            "2026-11-02",
        ],
    );
    topic.assert_success();
    let path = topic.stdout.trim();
    assert_eq!(
        path,
        "content/hetang/xiahu/topics/2026-xia-hu-cun-cun-dao-lu.md"
    );
    let text = site.read(path);
    assert!(text.contains("type: project-construction\n"), "{text}");
    assert!(text.contains("proposed: 2026-11-02"), "{text}");
    // The vocabulary's allowed values, in a comment.
    assert!(
        text.contains("# 议题类型，可选：public-affairs 公共事务 /"),
        "{text}"
    );

    let session = new(
        &site,
        &[
            "session",
            "hetang/xiahu",
            "--title",
            "路灯安装议事会",
            "--topic",
            "2026-xia-hu-cun-cun-dao-lu",
            "--date",
            "2026-11-20",
        ],
    );
    session.assert_success();
    let s = site.read(session.stdout.trim());
    assert!(s.contains("topics: [2026-xia-hu-cun-cun-dao-lu]\n"), "{s}");
    assert!(s.contains("form: representatives-meeting\n"), "{s}");

    let outcome = new(
        &site,
        &[
            "outcome",
            "hetang/xiahu",
            "--title",
            "路灯安装决定",
            "--topic",
            "hetang/xiahu/2026-xia-hu-cun-cun-dao-lu",
            "--date",
            "2026-11-28",
        ],
    );
    outcome.assert_success();
    let o = site.read(outcome.stdout.trim());
    // The reference as the record writes it (same place: bare), and the
    // session held by the decision, to check.
    assert!(o.contains("topic: 2026-xia-hu-cun-cun-dao-lu\n"), "{o}");
    assert!(
        o.contains("sessions: [2026-lu-deng-an-zhuang-yi-shi]"),
        "{o}"
    );
    assert!(o.contains("result: adopted\n"), "{o}");

    let check = site.run(&["check", "--as-of", "2026-12-01"]);
    check.assert_success();
    assert!(!check.stderr.contains("warning"), "{}", check.stderr);

    // A second outcome for the topic: refused, with the contract's reason.
    let again = new(
        &site,
        &[
            "outcome",
            "hetang/xiahu",
            "--title",
            "再次决定",
            "--topic",
            "2026-xia-hu-cun-cun-dao-lu",
        ],
    );
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("一个议题只能有一个协商成果"),
        "{}",
        again.stderr
    );
    // A topic that does not exist, or a record that is not a topic.
    let missing = new(
        &site,
        &[
            "session",
            "hetang/xiahu",
            "--title",
            "x",
            "--topic",
            "2026-no-such",
        ],
    );
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("找不到议题"), "{}", missing.stderr);
    let not_topic = new(
        &site,
        &[
            "session",
            "hetang/xiahu",
            "--title",
            "x",
            "--topic",
            "2026-lu-deng-an-zhuang-yi-shi",
        ],
    );
    assert!(
        not_topic.stderr.contains("不是议题"),
        "{}",
        not_topic.stderr
    );
    // The same title again gets a file name of its own.
    let twice = new(
        &site,
        &[
            "topic",
            "hetang/xiahu",
            "--title",
            "下湖村村道路灯安装",
            "--date",
            "2026-11-02",
        ],
    );
    twice.assert_success();
    assert_eq!(
        twice.stdout.trim(),
        "content/hetang/xiahu/topics/2026-xia-hu-cun-cun-dao-lu-2.md"
    );
    // An unknown place or term says what to do.
    let nowhere = new(&site, &["topic", "hetang/nowhere", "--title", "x"]);
    assert!(
        nowhere.stderr.contains("yishi new place hetang/nowhere"),
        "{}",
        nowhere.stderr
    );
    let bad_type = new(
        &site,
        &["topic", "hetang/xiahu", "--title", "x", "--type", "路灯"],
    );
    assert!(
        bad_type.stderr.contains("可选：public-affairs 公共事务"),
        "{}",
        bad_type.stderr
    );
}

#[test]
fn a_clerk_adds_a_village_that_checks_clean() {
    let site = demo_site();
    let place = new(
        &site,
        &[
            "place",
            "hetang/xinzhuang",
            "--title",
            "新庄村",
            "--code",
            "329901101299",
        ],
    );
    place.assert_success();
    assert_eq!(place.stdout.trim(), "content/hetang/xinzhuang/_place.yaml");
    let topic = new(
        &site,
        &["topic", "hetang/xinzhuang", "--title", "新庄村垃圾分类"],
    );
    topic.assert_success();
    site.run(&["check"]).assert_success();
    // No place under a village, nor a place that exists.
    let deep = new(&site, &["place", "hetang/xinzhuang/zu", "--title", "一组"]);
    assert_eq!(deep.code, 1);
    let again = new(&site, &["place", "hetang/xinzhuang", "--title", "新庄村"]);
    assert!(again.stderr.contains("已经存在"), "{}", again.stderr);
}

/// `check --format json|github` for editors and CI, and `--deny-warnings`:
/// three mistakes, each reported at its line, nothing else on stdout.
#[test]
fn check_speaks_json_and_github_annotations() {
    let site = TempSite::new("valid");
    site.write(
        "content/alpha/east/topics/2026-bad.md",
        "---\ntitle: 错误示例\ntype: roads\nproposed: 2026-13-01\ncolour: red\n---\n正文。\n",
    );
    let run = site.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let problems: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut found: Vec<(u64, &str)> = problems
        .iter()
        .map(|p| {
            assert_eq!(p["file"], "content/alpha/east/topics/2026-bad.md", "{p}");
            assert_eq!(p["severity"], "error", "{p}");
            assert!(
                p["column"].as_u64().is_some() && p["end_column"].as_u64() > p["column"].as_u64(),
                "{p}"
            );
            (p["line"].as_u64().unwrap(), p["message"].as_str().unwrap())
        })
        .collect();
    found.sort();
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(
        found.iter().map(|f| f.0).collect::<Vec<_>>(),
        [3, 4, 5],
        "{found:?}"
    );
    assert!(found[0].1.contains("roads"), "{found:?}");

    let gh = site.run(&["check", "--format", "github"]);
    assert_eq!(gh.code, 1);
    let lines: Vec<&str> = gh.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", gh.stdout);
    assert!(lines
        .iter()
        .all(|l| l.starts_with("::error file=content/alpha/east/topics/2026-bad.md,line=")));

    // Fixed: clean, exit 0, and stdout empty. A warning (a loose file in
    // a place folder) fails only with --deny-warnings.
    site.remove("content/alpha/east/topics/2026-bad.md");
    site.write("content/alpha/east/notes.txt", "草稿");
    let ok = site.run(&["check", "--format", "json"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(
        ok.stdout.contains("\"severity\":\"warning\""),
        "{}",
        ok.stdout
    );
    assert_eq!(
        site.run(&["check", "--format", "json", "--deny-warnings"])
            .code,
        1
    );
    assert_eq!(site.run(&["check", "--deny-warnings"]).code, 1);
    assert_eq!(site.run(&["check"]).code, 0);
}

/// `yishi hook install`: a commit with a mistake in a staged record is
/// blocked, with the mistake shown; fixed and staged, it goes through; a
/// mistake left unstaged is not what is committed and does not block.
#[test]
fn the_pre_commit_hook_checks_what_is_committed() {
    let site = demo_site();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(site.root())
            .args(args)
            .env("GIT_AUTHOR_NAME", "clerk")
            .env("GIT_AUTHOR_EMAIL", "clerk@example.org")
            .env("GIT_COMMITTER_NAME", "clerk")
            .env("GIT_COMMITTER_EMAIL", "clerk@example.org")
            .output()
            .expect("git runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(git(&["init", "-q"]).0);
    let installed = site.run(&["hook", "install"]);
    installed.assert_success();
    let hook = site.path(".git/hooks/pre-commit");
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("check --quiet"));
    assert!(git(&["add", "-A"]).0);
    let (ok, err) = git(&["commit", "-q", "-m", "demo"]);
    assert!(ok, "{err}");

    let topic = new(&site, &["topic", "hetang/xiahu", "--title", "水塘清淤"]);
    topic.assert_success();
    let path = topic.stdout.trim().to_string();
    site.edit(&path, "type: other", "type: ponds");
    assert!(git(&["add", "-A"]).0);
    let (ok, err) = git(&["commit", "-q", "-m", "bad"]);
    assert!(!ok, "a commit with an unknown topic type went through");
    assert!(
        err.contains("未知的议题类型 `ponds`") && err.contains("提交被阻止"),
        "{err}"
    );

    site.edit(&path, "type: ponds", "type: environmental-protection");
    assert!(git(&["add", "-A"]).0);
    // A new mistake, not staged: not part of the commit.
    site.edit(&path, "type: environmental-protection", "type: ponds");
    let (ok, err) = git(&["commit", "-q", "-m", "topic"]);
    assert!(ok, "{err}");
    // A hook that is not ours is left alone.
    std::fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
    let refused = site.run(&["hook", "install"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("没有替换它"), "{}", refused.stderr);
}

/// `yishi init` without a terminal asks nothing, takes its flags, and
/// writes a site that builds and checks clean at once; it refuses a folder
/// that is not empty.
#[test]
fn init_writes_a_site_that_builds_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let run = |args: &[&str]| {
        Run::from(
            std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
                .args(args)
                .stdin(std::process::Stdio::null())
                .env_remove("SOURCE_DATE_EPOCH")
                .output()
                .unwrap(),
        )
    };
    let r = root.to_str().unwrap();
    let init = run(&[
        "init",
        r,
        "--title",
        "鹤塘镇协商平台",
        "--town",
        "鹤塘镇",
        "--village",
        "下湖村",
    ]);
    init.assert_success();
    let files: Vec<&str> = init.stdout.lines().collect();
    for f in [
        "site.toml",
        ".gitignore",
        "README.md",
        "content/he-tang/_place.yaml",
        "content/he-tang/xia-hu/_place.yaml",
        "content/he-tang/xia-hu/topics/example-topic.md",
        "content/he-tang/xia-hu/sessions/example-session.md",
        "content/he-tang/xia-hu/outcomes/example-outcome.md",
    ] {
        assert!(files.contains(&f), "{f} not in {files:?}");
        assert!(root.join(f).is_file(), "{f}");
    }
    let toml = std::fs::read_to_string(root.join("site.toml")).unwrap();
    assert!(toml.contains("title = \"鹤塘镇协商平台\""), "{toml}");
    // Every key is explained: no setting line without a comment above it.
    assert!(toml.contains("# 界面语言"), "{toml}");
    // Editor support: schemas attached by the settings (and by site.toml's
    // first line), snippets listing the vocabularies.
    let json = |rel: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root.join(rel)).unwrap()).unwrap()
    };
    let settings = json(".vscode/settings.json");
    assert_eq!(
        settings["yaml.schemas"]["./.vscode/schemas/place.schema.json"],
        "content/**/_place.yaml"
    );
    assert!(toml.starts_with("#:schema ./.vscode/schemas/site.schema.json\n"));
    let site_schema = jsonschema::validator_for(&json(".vscode/schemas/site.schema.json")).unwrap();
    let as_json = serde_json::to_value(toml::from_str::<toml::Table>(&toml).unwrap()).unwrap();
    assert!(site_schema.is_valid(&as_json));
    let snippets = json(".vscode/yishi.code-snippets");
    let topic = snippets["yishi 议题 topic"]["body"].to_string();
    assert!(
        topic.contains("annual-budget") && topic.contains("proposed:"),
        "{topic}"
    );
    run(&["check", "--root", r]).assert_success();
    run(&["build", "--root", r]).assert_success();
    assert!(root
        .join("public/he-tang/xia-hu/topics/example-topic/index.html")
        .is_file());
    let again = run(&["init", r]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("不是空文件夹"), "{}", again.stderr);
    let bad = run(&[
        "init",
        dir.path().join("other").to_str().unwrap(),
        "--language",
        "fr",
    ]);
    assert!(bad.stderr.contains("zh-CN"), "{}", bad.stderr);
}
