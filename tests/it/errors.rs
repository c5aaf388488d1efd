//! One fixture per class of content error: each is the `valid` site with a
//! single mistake. Every case proves the message, the file, line and
//! column, that the build exits 1, that nothing was written, and that an
//! earlier output survives untouched.

use crate::common::*;

const ROAD: &str = "content/alpha/east/topics/2020-road.md";
const HEARING: &str = "content/alpha/sessions/2016-bridge-hearing.md";
const BRIDGE: &str = "content/alpha/topics/2016-bridge.md";
const PARKING: &str = "content/beta/garden/topics/2024-parking.md";

/// What a broken site must report.
struct Expect {
    /// `file:line:col`, or the file alone for problems with no single line.
    at: &'static str,
    message: &'static str,
    hint: Option<&'static str>,
}

fn expect(at: &'static str, message: &'static str, hint: Option<&'static str>) -> Expect {
    Expect { at, message, hint }
}

/// Build the site once (good), break it, build again: the second build must
/// fail with the expected diagnostic and leave the first output as it was.
fn assert_fails(break_it: impl Fn(&TempSite), e: Expect) {
    // A fresh site with the mistake writes nothing at all.
    let fresh = TempSite::new("valid");
    break_it(&fresh);
    let run = fresh.build(&[]);
    assert_eq!(run.code, 1, "expected exit 1\n{}", run.stderr);
    let text = run.stderr.as_str();
    assert!(
        text.contains(e.message),
        "message {:?} not in\n{text}",
        e.message
    );
    assert!(text.contains(e.at), "location {:?} not in\n{text}", e.at);
    if let Some(h) = e.hint {
        assert!(text.contains(h), "hint {h:?} not in\n{text}");
    }
    assert!(
        !fresh.path("public").exists(),
        "output written despite errors"
    );
    let leftovers: Vec<_> = std::fs::read_dir(fresh.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("yishi"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");

    // An earlier good output survives byte for byte.
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    site.write("public/marker.txt", "earlier output");
    let before = site.page("alpha/east/");
    break_it(&site);
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(site.read("public/marker.txt"), "earlier output");
    assert_eq!(site.page("alpha/east/"), before);
}

#[test]
fn unknown_key_with_did_you_mean() {
    assert_fails(
        |s| {
            s.edit(
                ROAD,
                "proposed: 2020-02-02",
                "proposed: 2020-02-02\nproposr: 村委",
            )
        },
        expect(
            "content/alpha/east/topics/2020-road.md:5:1",
            "未知的字段 `proposr`",
            Some("是不是 `proposer`"),
        ),
    );
}

#[test]
fn missing_required_key_points_at_front_matter_start() {
    assert_fails(
        |s| s.edit(ROAD, "type: 项目建设\n", ""),
        expect("2020-road.md:1:1", "缺少必填字段 `type`", None),
    );
}

#[test]
fn impossible_date() {
    assert_fails(
        |s| s.edit(ROAD, "2020-02-02", "2020-02-30"),
        expect("2020-road.md:4:11", "不是真实存在的日期", None),
    );
}

#[test]
fn unknown_vocabulary_term_suggests_the_right_one() {
    assert_fails(
        |s| s.edit(ROAD, "type: 项目建设", "type: 项目建筑"),
        expect(
            "2020-road.md:3:7",
            "未知的议题类型 `项目建筑`",
            Some("是不是 `项目建设`"),
        ),
    );
}

#[test]
fn yaml_syntax_error() {
    assert_fails(
        |s| s.edit(ROAD, "type: 项目建设", "type: [项目建设"),
        expect("2020-road.md:", "YAML 语法错误", None),
    );
}

#[test]
fn missing_front_matter() {
    assert_fails(
        |s| s.write(ROAD, "东村道路硬化\n\n正文\n"),
        expect("2020-road.md:1:1", "缺少开头的 YAML 信息块", None),
    );
}

#[test]
fn unclosed_front_matter() {
    assert_fails(
        |s| s.write(ROAD, "---\ntitle: 东村道路硬化\n正文\n"),
        expect("2020-road.md:1:1", "YAML 信息块没有结束", None),
    );
}

#[test]
fn gbk_file_names_the_byte_offset() {
    assert_fails(
        |s| {
            let mut bytes = b"---\ntitle: ".to_vec();
            bytes.extend_from_slice(&[0xB6, 0xAB, 0xB4, 0xE5]); // 东村 in GBK
            bytes.extend_from_slice(b"\ntype: other\nproposed: 2020-02-02\n---\n");
            s.write_bytes(ROAD, &bytes);
        },
        expect("2020-road.md:2:8", "第 11 字节", Some("GBK")),
    );
}

#[test]
fn bad_file_name() {
    assert_fails(
        |s| s.write("content/alpha/east/topics/Road_2.md", &s.read(ROAD)),
        expect("Road_2.md", "不能作为记录标识", Some("小写字母")),
    );
}

#[test]
fn duplicate_id_names_both_files() {
    assert_fails(
        |s| {
            s.write(
                "content/alpha/east/sessions/2020-road.md",
                "---\ntitle: 会\ntopic: 2020-road\ndate: 2020-03-01\nform: other\n---\n",
            )
        },
        expect(
            "content/alpha/east/topics/2020-road.md",
            "记录标识 `alpha/east/2020-road` 与另一个文件重复",
            None,
        ),
    );
    let s = TempSite::new("valid");
    s.write(
        "content/alpha/east/sessions/2020-road.md",
        "---\ntitle: 会\ntopic: 2020-road\ndate: 2020-03-01\nform: other\n---\n",
    );
    let run = s.build(&[]);
    assert!(run
        .stderr
        .contains("content/alpha/east/sessions/2020-road.md"));
}

#[test]
fn missing_reference_suggests_the_closest() {
    assert_fails(
        |s| s.edit(HEARING, "topic: 2016-bridge", "topic: 2016-brige"),
        expect(
            "2016-bridge-hearing.md:3:8",
            "找不到议题 `2016-brige`",
            Some("是不是 `2016-bridge`"),
        ),
    );
}

#[test]
fn reference_to_the_wrong_kind() {
    assert_fails(
        |s| {
            s.edit(
                "content/alpha/outcomes/2016-bridge-decision.md",
                "topic: 2016-bridge",
                "topic: 2016-bridge-council",
            )
        },
        expect(
            "2016-bridge-decision.md:3:8",
            "是协商会议，这里需要议题",
            None,
        ),
    );
}

#[test]
fn outcome_session_on_another_topic() {
    assert_fails(
        |s| {
            s.edit(
                "content/beta/garden/outcomes/2024-parking-result.md",
                "result: adopted",
                "result: adopted\nsessions: [alpha/2016-bridge-hearing]",
            )
        },
        expect(
            "2024-parking-result.md:6:12",
            "协商的不是本成果的议题",
            None,
        ),
    );
}

#[test]
fn second_outcome_for_a_topic() {
    assert_fails(
        |s| {
            s.write(
                "content/alpha/east/outcomes/2020-road-again.md",
                "---\ntitle: 再决定\ntopic: 2020-road\ndecided: 2021-01-01\nresult: rejected\n---\n",
            )
        },
        expect("outcomes/2020-road-", "已有协商成果", Some("related")),
    );
    let s = TempSite::new("valid");
    s.write(
        "content/alpha/east/outcomes/2020-road-again.md",
        "---\ntitle: 再决定\ntopic: 2020-road\ndecided: 2021-01-01\nresult: rejected\n---\n",
    );
    let run = s.build(&[]);
    assert!(run.stderr.contains("2020-road-again.md"), "{}", run.stderr);
    assert!(
        run.stderr.contains("2020-road-decision.md"),
        "{}",
        run.stderr
    );
}

#[test]
fn attendance_below_participants() {
    assert_fails(
        |s| s.edit(HEARING, "attendance: 25", "attendance: 22"),
        expect("2016-bridge-hearing.md:9:13", "少于各群体人数之和 23", None),
    );
}

#[test]
fn vote_above_attendance() {
    assert_fails(
        |s| s.edit(HEARING, "for: 20", "for: 30"),
        expect(
            "2016-bridge-hearing.md:10:7",
            "表决票数合计 35 超过到会人数 25",
            None,
        ),
    );
}

#[test]
fn per_topic_vote_names_a_topic_not_consulted() {
    assert_fails(
        |s| {
            s.edit(
                "content/alpha/east/sessions/2021-budget-meeting.md",
                "alpha/east/2020-road:",
                "alpha/2016-bridge:",
            )
        },
        expect("2021-budget-meeting.md:9:3", "不是本次会议协商的议题", None),
    );
}

#[test]
fn missing_attachment() {
    assert_fails(
        |s| s.remove("content/beta/garden/sessions/files/plan.pdf"),
        expect(
            "2024-parking-meeting.md:6:15",
            "找不到附件 `files/plan.pdf`",
            None,
        ),
    );
}

#[test]
fn place_folder_without_place_file() {
    assert_fails(
        |s| s.write("content/alpha/north/topics/2020-x.md", &s.read(ROAD)),
        expect(
            "content/alpha/north",
            "地点文件夹缺少 _place.yaml",
            Some("content/alpha/north/_place.yaml"),
        ),
    );
}

#[test]
fn place_kind_must_fit_depth() {
    assert_fails(
        |s| {
            s.edit(
                "content/alpha/east/_place.yaml",
                "kind: village",
                "kind: town",
            )
        },
        expect(
            "east/_place.yaml:2:7",
            "这一层的地点不能是 `town`",
            Some("village"),
        ),
    );
}

#[test]
fn village_code_must_start_with_town_code() {
    assert_fails(
        |s| {
            s.edit(
                "content/alpha/east/_place.yaml",
                "320401100201",
                "320401999201",
            )
        },
        expect(
            "east/_place.yaml:3:7",
            "应以所属镇（街道）代码的前 9 位",
            None,
        ),
    );
}

#[test]
fn reserved_name_cannot_be_a_place() {
    assert_fails(
        |s| {
            s.write(
                "content/alpha/types/_place.yaml",
                "name: 类\nkind: village\n",
            )
        },
        expect("content/alpha/types", "保留的名称", None),
    );
}

#[test]
fn mobile_number_in_body() {
    assert_fails(
        |s| {
            s.edit(
                ROAD,
                "东村主干道硬化。",
                "东村主干道硬化。\n联系人电话：13912345678",
            )
        },
        expect(
            "2020-road.md:7:7",
            "发现疑似手机号码",
            Some("privacy = \"mask\""),
        ),
    );
}

#[test]
fn identity_number_in_extra_key() {
    assert_fails(
        |s| {
            s.edit(
                ROAD,
                "proposed: 2020-02-02",
                "proposed: 2020-02-02\nx_note: 申请人 11010519491231002X",
            )
        },
        expect("2020-road.md:5:13", "发现疑似身份证号码", None),
    );
}

#[test]
fn mask_mode_publishes_masked_with_a_warning() {
    let s = TempSite::new("valid");
    s.edit(
        "site.toml",
        "page_size = 2",
        "page_size = 2\nprivacy = \"mask\"",
    );
    s.edit(
        ROAD,
        "东村主干道硬化。",
        "东村主干道硬化。联系人电话：13912345678",
    );
    s.edit(
        ROAD,
        "title: 东村道路硬化",
        "title: 东村道路硬化（13912345678）",
    );
    let run = s.build(&[]);
    run.assert_success();
    assert!(run.stderr.contains("已打码发布"), "{}", run.stderr);
    let page = s.page("alpha/east/topics/2020-road/");
    assert!(!page.contains("13912345678"));
    assert!(page.contains("139****5678"), "{page}");
    assert!(!s.page("alpha/east/").contains("13912345678"));
}

#[test]
fn unknown_site_toml_key_with_position() {
    assert_fails(
        |s| s.edit("site.toml", "page_size = 2", "page_size = 2\npagesize = 3"),
        expect("site.toml:4:1", "pagesize", Some("[extra]")),
    );
}

#[test]
fn bad_site_toml_value() {
    assert_fails(
        |s| s.edit("site.toml", "page_size = 2", "page_size = 0"),
        expect("site.toml:3:13", "page_size 须在 1 到 1000 之间", None),
    );
}

#[test]
fn published_record_referring_to_a_draft() {
    assert_fails(
        |s| {
            s.edit(
                PARKING,
                "related: [alpha/east/2020-road]",
                "related: [alpha/east/2020-road, alpha/west/2025-draft]",
            )
        },
        expect("2024-parking.md:5:33", "是草稿", Some("--drafts")),
    );
    // With --drafts the same site builds.
    let s = TempSite::new("valid");
    s.edit(
        PARKING,
        "related: [alpha/east/2020-road]",
        "related: [alpha/east/2020-road, alpha/west/2025-draft]",
    );
    s.build(&["--drafts"]).assert_success();
}

#[test]
fn related_to_itself() {
    assert_fails(
        |s| {
            s.edit(
                PARKING,
                "related: [alpha/east/2020-road]",
                "related: [2024-parking]",
            )
        },
        expect("2024-parking.md:5:11", "不能指向议题自身", None),
    );
}

#[test]
fn villages_only_on_town_topics() {
    assert_fails(
        |s| {
            s.edit(
                ROAD,
                "proposed: 2020-02-02",
                "proposed: 2020-02-02\nvillages: [west]",
            )
        },
        expect(
            "2020-road.md:5:1",
            "只有镇（街道）一级的议题可以写 villages",
            None,
        ),
    );
}

#[test]
fn unknown_village() {
    assert_fails(
        |s| s.edit(BRIDGE, "villages: [east, west]", "villages: [east, wets]"),
        expect(
            "2016-bridge.md:9:18",
            "找不到村（社区）`wets`",
            Some("west"),
        ),
    );
}

#[test]
fn session_ends_before_it_starts() {
    assert_fails(
        |s| s.edit(HEARING, "end: \"21:00\"", "end: \"18:00\""),
        expect("2016-bridge-hearing.md:5:6", "结束时间早于开始时间", None),
    );
}

#[test]
fn notice_period_ends_before_notice() {
    assert_fails(
        |s| {
            s.edit(
                BRIDGE,
                "notice_until: 2016-03-15",
                "notice_until: 2016-03-01",
            )
        },
        expect("2016-bridge.md:7:15", "早于公示日", None),
    );
}

#[test]
fn yaml_12_booleans() {
    assert_fails(
        |s| {
            s.edit(
                ROAD,
                "proposed: 2020-02-02",
                "proposed: 2020-02-02\ndraft: yes",
            )
        },
        expect("2020-road.md:5:8", "不是 true 或 false", None),
    );
}

#[test]
fn all_problems_are_reported_in_one_run() {
    let s = TempSite::new("valid");
    s.edit(ROAD, "type: 项目建设", "type: 项目建筑");
    s.edit(HEARING, "topic: 2016-bridge", "topic: 2016-brige");
    s.edit(
        "content/alpha/east/_place.yaml",
        "kind: village",
        "kind: town",
    );
    let run = s.build(&[]);
    assert_eq!(run.code, 1);
    for at in [
        "2020-road.md:3:7",
        "2016-bridge-hearing.md:3:8",
        "east/_place.yaml:2:7",
    ] {
        assert!(run.stderr.contains(at), "{at} missing in\n{}", run.stderr);
    }
    assert!(run.stderr.contains("发现 3 个错误"), "{}", run.stderr);
}

fn with_theme(s: &TempSite) {
    copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &s.path("themes/default"),
    );
}

#[test]
fn template_render_error_names_file_and_line() {
    assert_fails(
        |s| {
            with_theme(s);
            let p = "themes/default/templates/404.html";
            let text = s.read(p).replace(
                "<p>{{ t.not_found_text }}</p>",
                "<p>{{ page.nope.deeper }}</p>",
            );
            s.write(p, &text);
        },
        expect("themes/default/templates/404.html:4:", "模板错误", None),
    );
}

#[test]
fn template_syntax_error_names_file_and_line() {
    assert_fails(
        |s| {
            with_theme(s);
            let p = "themes/default/templates/list.html";
            let text = s.read(p).replace("{{ page.intro }}", "{{ page.intro }");
            s.write(p, &text);
        },
        expect("themes/default/templates/list.html:4:", "模板错误", None),
    );
}

#[test]
fn custom_theme_in_site_is_used() {
    let s = TempSite::new("valid");
    with_theme(&s);
    let p = "themes/default/templates/404.html";
    s.write(
        p,
        &s.read(p).replace("{{ t.not_found_text }}", "自定义的404"),
    );
    s.build(&[]).assert_success();
    assert!(s.page("404.html").contains("自定义的404"));
}

#[test]
fn deeply_nested_yaml_is_an_error_not_a_crash() {
    for n in [2_500, 100_000] {
        let deep = format!("proposed: 2020-02-02\nx_deep:\n  {}x", "- ".repeat(n));
        assert_fails(
            |s| s.edit(ROAD, "proposed: 2020-02-02", &deep),
            expect("2020-road.md:6:1", "YAML 嵌套超过 64 层", None),
        );
    }
    let flow = format!("proposed: 2020-02-02\nx_deep: {}", "[".repeat(50_000));
    assert_fails(
        |s| s.edit(ROAD, "proposed: 2020-02-02", &flow),
        expect("2020-road.md:", "YAML 嵌套超过 64 层", None),
    );
    // A place file too.
    assert_fails(
        |s| {
            let text = s.read("content/alpha/_place.yaml");
            s.write(
                "content/alpha/_place.yaml",
                &format!("{text}x_deep:\n  {}x\n", "- ".repeat(5_000)),
            )
        },
        expect("content/alpha/_place.yaml:", "YAML 嵌套超过 64 层", None),
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_in_content_are_refused_unread() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    std::fs::write(
        &secret,
        "SECRET-LINE-ONE\n---\ntitle: 外部\ntype: annual-budget\nproposed: 2020-01-01\n---\n外部正文\n",
    )
    .unwrap();
    let secret_dir = outside.path().join("topics");
    std::fs::create_dir(&secret_dir).unwrap();
    std::fs::copy(&secret, secret_dir.join("2020-x.md")).unwrap();
    let cases: Vec<(&str, std::path::PathBuf, &str)> = vec![
        // A record, a records folder, a village, an attachment, /dev/zero.
        (
            "content/alpha/east/topics/2020-link.md",
            secret.clone(),
            "2020-link.md",
        ),
        (
            "content/beta/garden/outcomes",
            secret_dir.clone(),
            "outcomes",
        ),
        (
            "content/alpha/linked",
            outside.path().to_path_buf(),
            "linked",
        ),
        (
            "content/alpha/east/topics/files/a.pdf",
            secret.clone(),
            "a.pdf",
        ),
        (
            "content/alpha/east/topics/2020-zero.md",
            "/dev/zero".into(),
            "2020-zero.md",
        ),
        ("content/alpha/_place.yaml", secret.clone(), "_place.yaml"),
    ];
    for (rel, target, shown) in cases {
        let site = TempSite::new("valid");
        let at = site.path(rel);
        if at.exists() {
            if at.is_dir() {
                std::fs::remove_dir_all(&at).unwrap();
            } else {
                std::fs::remove_file(&at).unwrap();
            }
        }
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&target, &at).unwrap();
        let run = site.run(&["check", "--as-of", AS_OF]);
        assert_eq!(run.code, 1, "{rel}: {}", run.stderr);
        assert!(run.stderr.contains("符号链接"), "{rel}: {}", run.stderr);
        assert!(run.stderr.contains(shown), "{rel}: {}", run.stderr);
        assert!(!run.stderr.contains("SECRET"), "{rel}: {}", run.stderr);
        let run = site.build(&[]);
        assert_eq!(run.code, 1, "{rel}: {}", run.stderr);
        assert!(!site.path("public").exists());
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_in_content_is_refused_without_blocking() {
    let site = TempSite::new("valid");
    let fifo = site.path("content/alpha/east/topics/2020-fifo.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo unavailable");
        return;
    }
    // Bounded: a build that opens the FIFO would wait for a writer forever.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(["check", "--as-of", AS_OF, "--root"])
        .arg(site.root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("yishi check blocked on a FIFO");
        }
        // Poll interval: std's `Child` has no wait with a time limit.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let run = Run::from(child.wait_with_output().unwrap());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("2020-fifo.md"), "{}", run.stderr);
    assert!(run.stderr.contains("不是普通文件"), "{}", run.stderr);
}

#[test]
fn yaml_anchors_and_aliases_are_refused() {
    assert_fails(
        |s| {
            s.edit(
                ROAD,
                "proposed: 2020-02-02",
                "proposed: 2020-02-02\nx_a: &a [1, 2]\nx_b: *a",
            )
        },
        expect("2020-road.md:5:", "不支持 YAML 锚点", None),
    );
}

/// Seeded random mutations of every file of the fixture site (bytes
/// flipped, YAML and Markdown punctuation inserted, ranges cut and
/// repeated, invalid UTF-8): `check` must answer every one, never panic.
#[test]
fn mutated_sites_never_panic() {
    let site = TempSite::new("valid");
    let files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(site.root())
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    let originals: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let opts = yishi::build::SiteOptions {
        as_of: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()),
        ..yishi::build::SiteOptions::new(site.root())
    };
    // xorshift64*: a fixed sequence, so a failure can be replayed.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: usize| -> usize {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    };
    const PIECES: [&[u8]; 16] = [
        b":",
        b"- ",
        b"[",
        b"{",
        b"\"",
        b"'",
        b"\n",
        b"\t",
        b"&x ",
        b"*x",
        b"!tag ",
        b"|\n",
        b"---\n",
        b"\0",
        b"\xff\xfe",
        "\u{200b}１３８".as_bytes(),
    ];
    for round in 0..400 {
        let i = next(files.len());
        let mut bytes = originals[i].clone();
        for _ in 0..1 + next(3) {
            let at = next(bytes.len() + 1);
            match next(4) {
                0 if !bytes.is_empty() => {
                    let at = at.min(bytes.len() - 1);
                    bytes[at] ^= 1 << next(8);
                }
                1 => {
                    let end = (at + next(16)).min(bytes.len());
                    bytes.drain(at..end);
                }
                2 => {
                    let end = (at + next(32)).min(bytes.len());
                    let copy = bytes[at..end].to_vec();
                    bytes.splice(at..at, copy);
                }
                _ => {
                    let piece = PIECES[next(PIECES.len())];
                    bytes.splice(at..at, piece.iter().copied());
                }
            }
        }
        std::fs::write(&files[i], &bytes).unwrap();
        let result = std::panic::catch_unwind(|| yishi::build::check(&opts).is_ok());
        assert!(
            result.is_ok(),
            "round {round}: check panicked on {} =\n{}",
            files[i].display(),
            String::from_utf8_lossy(&bytes)
        );
        std::fs::write(&files[i], &originals[i]).unwrap();
    }
}

const PHONE: &str = "13812345678";

/// The text of an output file as a reader of any format would take it:
/// tags dropped, character references decoded, full-width digits narrowed,
/// invisible characters, spaces and hyphens removed.
fn digits_as_read(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(end) = rest.find('>') {
                rest = &rest[end + 1..];
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix("&#") {
            if let Some(end) = r.find(';') {
                let (hex, num) = match r[..end].strip_prefix(['x', 'X']) {
                    Some(h) => (true, h),
                    None => (false, &r[..end]),
                };
                if let Some(d) = u32::from_str_radix(num, if hex { 16 } else { 10 })
                    .ok()
                    .and_then(char::from_u32)
                {
                    out.push(d);
                    rest = &r[end + 1..];
                    continue;
                }
            }
        }
        match c {
            '０'..='９' => out.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            ' ' | '-' | '\u{3000}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}'
            | '\u{FEFF}' | '\u{00AD}' => {}
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

type Break = Box<dyn Fn(&TempSite)>;

/// Every place and disguise of a personal number (contract v1.1): whether
/// the site can publish it masked, and the file the message names.
fn disguises() -> Vec<(&'static str, Break, bool, &'static str)> {
    let road =
        |from: &'static str, to: String| -> Break { Box::new(move |s| s.edit(ROAD, from, &to)) };
    let after_date = |extra: &'static str| {
        road(
            "proposed: 2020-02-02",
            format!("proposed: 2020-02-02\n{extra}"),
        )
    };
    let body = |text: &'static str| {
        road(
            "东村主干道硬化。",
            format!("东村主干道硬化。联系电话 {text} 。"),
        )
    };
    const MEETING: &str = "content/alpha/east/sessions/2021-budget-meeting.md";
    vec![
        (
            "YAML escapes",
            after_date(r#"x_tel: "\x31\x33\x38\x31\x32\x33\x34\x35\x36\x37\x38""#),
            true,
            "2020-road.md",
        ),
        (
            "line continuation",
            after_date("x_tel: \"138\\\n  12345678\""),
            true,
            "2020-road.md",
        ),
        (
            "grouped in a title",
            road(
                "title: 东村道路硬化",
                "title: 东村道路硬化 138 1234 5678".into(),
            ),
            true,
            "2020-road.md",
        ),
        (
            "hyphen groups",
            after_date("x_tel: 138-1234-5678"),
            true,
            "2020-road.md",
        ),
        (
            "full-width",
            after_date("summary: 电话１３８１２３４５６７８"),
            true,
            "2020-road.md",
        ),
        (
            "zero-width",
            body("138\u{200B}1234\u{00AD}5678"),
            true,
            "2020-road.md",
        ),
        (
            "0086",
            after_date("x_tel: 0086 13812345678"),
            true,
            "2020-road.md",
        ),
        (
            "Markdown emphasis",
            body("**138**12345678"),
            true,
            "2020-road.md",
        ),
        (
            "empty tag",
            body("138<span></span>12345678"),
            true,
            "2020-road.md",
        ),
        (
            "comment",
            body("138<!-- 备注 -->12345678"),
            true,
            "2020-road.md",
        ),
        (
            "character references",
            body("&#49;&#51;&#56;12345678"),
            true,
            "2020-road.md",
        ),
        (
            "tally",
            Box::new(|s: &TempSite| s.edit(MEETING, "{for: 30}", "{for: 13812345678}")),
            false,
            "2021-budget-meeting.md",
        ),
        (
            "attendance",
            Box::new(|s: &TempSite| s.edit(MEETING, "attendance: 32", "attendance: 13812345678")),
            false,
            "2021-budget-meeting.md",
        ),
        (
            "amount",
            Box::new(|s: &TempSite| {
                s.edit(
                    "content/alpha/outcomes/2016-bridge-decision.md",
                    "amount: 1250000",
                    "amount: 13812345678",
                )
            }),
            false,
            "2016-bridge-decision.md",
        ),
        (
            "key name",
            after_date("x_13812345678: 联系人"),
            false,
            "2020-road.md",
        ),
        (
            "attachment name",
            Box::new(|s: &TempSite| {
                s.write("content/alpha/east/topics/files/13812345678.pdf", "%PDF")
            }),
            false,
            "13812345678.pdf",
        ),
        (
            "place folder",
            Box::new(|s: &TempSite| {
                s.write(
                    "content/alpha/13812345678/_place.yaml",
                    "name: 乙村\nkind: village\n",
                )
            }),
            false,
            "content/alpha/13812345678",
        ),
        (
            "site.toml",
            Box::new(|s: &TempSite| s.edit("site.toml", "集成测试用的站点", "热线 13812345678")),
            false,
            "site.toml",
        ),
        (
            "site.toml escapes",
            Box::new(|s: &TempSite| {
                s.edit(
                    "site.toml",
                    "集成测试用的站点",
                    r"\u0031\u0033\u0038\u0031\u0032\u0033\u0034\u0035\u0036\u0037\u0038",
                )
            }),
            false,
            "site.toml",
        ),
    ]
}

#[test]
fn personal_numbers_in_every_disguise_are_errors() {
    for (what, break_it, _, file) in disguises() {
        let site = TempSite::new("valid");
        break_it(&site);
        let run = site.run(&["check", "--as-of", AS_OF]);
        assert_eq!(run.code, 1, "{what}: {}", run.stderr);
        assert!(run.stderr.contains("疑似"), "{what}: {}", run.stderr);
        assert!(
            run.stderr.contains(file),
            "{what}: {file} not in {}",
            run.stderr
        );
        assert!(!run.stderr.contains("已打码发布"), "{what}");
    }
}

#[test]
fn masked_numbers_reach_no_output_format() {
    for (what, break_it, maskable, _) in disguises() {
        let site = TempSite::new("valid");
        site.edit(
            "site.toml",
            "page_size = 2",
            "page_size = 2\nprivacy = \"mask\"",
        );
        break_it(&site);
        let run = site.build(&[]);
        if !maskable {
            // Nothing can be masked there: refused in this mode too.
            assert_eq!(run.code, 1, "{what}: {}", run.stderr);
            assert!(!site.path("public").exists(), "{what}");
            continue;
        }
        assert_eq!(run.code, 0, "{what}: {}", run.stderr);
        assert!(run.stderr.contains("已打码发布"), "{what}: {}", run.stderr);
        let mut formats = std::collections::BTreeSet::new();
        let mut shown_masked = false;
        for (rel, bytes) in files_in(&site.path("public")) {
            let text = digits_as_read(&String::from_utf8_lossy(&bytes));
            assert!(
                !text.contains(PHONE),
                "{what}: the number is readable in {rel}"
            );
            shown_masked |= text.contains("138****5678");
            formats.insert(rel.rsplit('.').next().unwrap_or("").to_string());
        }
        for ext in ["html", "xml", "ics", "json", "csv", "txt"] {
            assert!(formats.contains(ext), "{what}: no .{ext} file was checked");
        }
        assert!(
            shown_masked,
            "{what}: the masked number is published nowhere"
        );
    }
}

/// `check` never builds: its footer counts the errors and says nothing
/// about the output, which `build`'s footer does.
#[test]
fn check_footer_does_not_speak_of_the_output() {
    let s = TempSite::new("valid");
    s.edit(ROAD, "type: 项目建设", "type: 项目建筑");
    let check = s.run(&["check", "--as-of", AS_OF]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    let last = check.stderr.lines().last().unwrap_or("");
    assert_eq!(last, "发现 1 个错误。", "{}", check.stderr);
    assert!(!check.stderr.contains("未生成网站"), "{}", check.stderr);
    assert!(!check.stderr.contains("输出"), "{}", check.stderr);

    let build = s.build(&[]);
    assert_eq!(build.code, 1);
    assert!(
        build
            .stderr
            .contains("发现 1 个错误，未生成网站（原有的输出保持不变）。"),
        "{}",
        build.stderr
    );
}

/// `check` reports as many places as there are `_place.yaml` files: the
/// content root is a place only when `content/_place.yaml` describes it.
#[test]
fn check_counts_each_place_file_once() {
    fn place_files(s: &TempSite) -> usize {
        walkdir::WalkDir::new(s.path("content"))
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_name() == "_place.yaml")
            .count()
    }
    fn places_reported(s: &TempSite) -> usize {
        let run = s.run(&["check", "--as-of", AS_OF]);
        run.assert_success();
        let line = run
            .stdout
            .lines()
            .find(|l| l.starts_with("检查通过"))
            .unwrap_or_else(|| panic!("{}", run.stdout));
        let before = line.split(" 个地点").next().unwrap();
        before.rsplit('，').next().unwrap().trim().parse().unwrap()
    }
    let s = TempSite::new("valid");
    assert_eq!(place_files(&s), 6);
    assert_eq!(places_reported(&s), 6);
    // Without a description of the top level, the root is no place.
    s.remove("content/_place.yaml");
    assert_eq!(place_files(&s), 5);
    assert_eq!(places_reported(&s), 5);
}
