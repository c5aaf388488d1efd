//! UI languages: a site in Traditional Chinese (`zh-TW`, `zh-HK`) gets
//! Traditional UI strings and the right `lang`; English keeps its own.

use crate::common::*;

fn site_in(language: &str) -> TempSite {
    let site = TempSite::new("valid");
    site.edit(
        "site.toml",
        "page_size = 2\n",
        &format!("page_size = 2\nlanguage = \"{language}\"\n"),
    );
    site.build(&[]).assert_success();
    site
}

#[test]
fn taiwan_site_is_marked_zh_tw_and_reads_in_traditional_characters() {
    let site = site_in("zh-TW");
    let home = site.page("");
    assert!(home.contains("<html lang=\"zh-TW\">"), "{home}");
    // The navigation and headings in Traditional characters, Taiwan usage.
    for text in ["首頁", "依議題類型", "搜尋", "開放資料"] {
        assert!(home.contains(text), "{text} missing on the home page");
    }
    for simplified in ["首页", "按议题类型", "搜索", "开放数据"] {
        assert!(!home.contains(simplified), "{simplified} on the home page");
    }
    let topic = site.page("alpha/topics/2016-bridge/");
    assert!(topic.contains("<html lang=\"zh-TW\">"));
    assert!(topic.contains("協商全過程"), "{topic}");
    // The feed carries the language too.
    let feed = site.read("public/feed.xml");
    assert!(feed.contains("xml:lang=\"zh-TW\""), "{feed}");
}

#[test]
fn hong_kong_site_is_marked_zh_hk() {
    let site = site_in("zh-HK");
    let home = site.page("");
    assert!(home.contains("<html lang=\"zh-HK\">"), "{home}");
    for text in ["首頁", "按議題類型", "開放數據"] {
        assert!(home.contains(text), "{text} missing on the home page");
    }
    let data = site.page("data/");
    assert!(data.contains("<html lang=\"zh-HK\">"));
    assert!(data.contains("數據"), "{data}");
}

#[test]
fn an_unknown_language_names_every_choice() {
    let site = TempSite::new("valid");
    site.edit(
        "site.toml",
        "page_size = 2\n",
        "page_size = 2\nlanguage = \"zh-Hant\"\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1);
    for choice in ["zh-CN", "zh-TW", "zh-HK", "en"] {
        assert!(run.stderr.contains(choice), "{choice} in\n{}", run.stderr);
    }
}
