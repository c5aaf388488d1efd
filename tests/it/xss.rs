//! Hostile content stays inert: cross-site-scripting vectors (the OWASP
//! filter-evasion list and friends) placed in every field of the content
//! model that reaches the output, then every output file read the way its
//! consumer reads it: pages with a browser's tokenizer (entities decoded),
//! feeds and the sitemap as XML, calendars as iCalendar, data as JSON and
//! CSV. No output may hold an executable form.

use std::cell::RefCell;
use std::collections::BTreeMap;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::common::*;

/// Vectors for text fields and raw HTML in bodies.
const VECTORS: &[&str] = &[
    "<script>alert('v01')</script>",
    "<SCRIPT SRC=http://xss.example/v02.js></SCRIPT>",
    "<img src=x onerror=alert('v03')>",
    "<IMG SRC=\"javascript:alert('v04');\">",
    "<IMG SRC=JaVaScRiPt:alert('v05')>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('v06')\">v06</a>",
    "<a href=\"&#x6A;&#x61;vascript&colon;alert('v07')\">v07</a>",
    "<a href=\"jav\tascript:alert('v08')\">v08</a>",
    "<a href=\"jav&#x09;ascript:alert('v09')\">v09</a>",
    "<a href=\" &#14;  javascript:alert('v10')\">v10</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">v11</a>",
    "<a href=\"vbscript:msgbox('v12')\">v12</a>",
    "<svg onload=alert('v13')>",
    "<svg><script>alert('v14')</script></svg>",
    "<svg><a xlink:href=\"javascript:alert('v15')\"><text x=\"1\" y=\"1\">v15</text></a></svg>",
    "<iframe src=\"javascript:alert('v16')\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;alert('v17')&lt;/script&gt;\"></iframe>",
    "<object data=\"javascript:alert('v18')\"></object>",
    "<embed src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<base href=\"javascript:alert('v20')//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('v21')\">",
    "<div style=\"width: expression(alert('v22'));\">v22</div>",
    "<div style=\"background:url(javascript:alert('v23'))\">v23</div>",
    "<style>@import 'http://xss.example/v24.css'; body{background:url(\"javascript:alert('v24')\")}</style>",
    "<body onload=alert('v25')>",
    "<form action=\"javascript:alert('v26')\"><button>v26</button></form>",
    "<button formaction=\"javascript:alert('v27')\">v27</button>",
    "<input onfocus=alert('v28') autofocus>",
    "<details open ontoggle=alert('v29')>v29</details>",
    "<<SCRIPT>alert('v30');//<</SCRIPT>",
    "<IMG \"\"\"><SCRIPT>alert('v31')</SCRIPT>\">",
    "<scr<script>ipt>alert('v32')</scr</script>ipt>",
    "\"><script>alert('v33')</script>",
    "'><img src=x onerror=alert('v34')>",
    "</script><script>alert('v35')</script>",
    "<!--<script>alert('v36')//-->",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('v37')>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('v38')>\">",
    "<a href=\"javascript&colon;alert('v39')\">v39</a>",
    "<link rel=stylesheet href=\"javascript:alert('v40')\">",
    "<video><source onerror=\"alert('v41')\"></video>",
    "<a href=\"#\" onclick=\"alert('v42')\">v42</a>",
    "<template><script>alert('v43')</script></template>",
    "<svg><animate onbegin=alert('v44') attributeName=x dur=1s>",
    "<a href=\"data:text/html,&lt;script&gt;alert('v45')&lt;/script&gt;\">v45</a>",
    "<x onmouseover=alert('v46')>v46</x>",
    "<img src=\"x` `<script>alert('v47')</script>\"` `>",
    "<a href=\"  JAVASCRIPT:alert('v48')\">v48</a>",
    "]]><script>alert('v49')</script><![CDATA[",
    "{{ 7*7 }}{% raw %}v50",
    "<a/href=\"javascript:alert('v51')\">v51</a>",
    "<img/src=\"x\"/onerror=alert('v52')>",
];

/// Markdown forms of the same ideas (links and images with hostile URLs).
const MARKDOWN_VECTORS: &[&str] = &[
    "[m01](javascript:alert('m01'))",
    "[m02](JaVaScRiPt:alert('m02'))",
    "[m03](&#106;avascript:alert('m03'))",
    "[m04](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![m05](javascript:alert('m05'))",
    "<javascript:alert('m06')>",
    "[m07][bad]\n\n[bad]: javascript:alert('m07')",
    "[m08](vbscript:msgbox('m08'))",
    "[m09](<javascript:alert('m09')>)",
    "[m10](\"onmouseover=alert('m10'))",
    "<a href=\"java\nscript:alert('m11')\">m11</a>",
];

/// A line injected into iCalendar text: a new property or event if a line
/// break got through unescaped.
const ICAL_INJECTION: &str =
    "注入\r\nATTACH:http://xss.example/evil\r\nBEGIN:VEVENT\nSUMMARY:假会议;x,y\\n";

/// A YAML double-quoted scalar (JSON strings are valid YAML ones).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// All the text vectors on one line.
fn line() -> String {
    VECTORS.join(" ")
}

/// A Markdown body: the vectors on one line first (the default summary is
/// the first paragraph), then the original text, then each vector and each
/// Markdown vector as a block of its own.
fn body(original: &str) -> String {
    let mut b = format!("{}\n\n{original}\n", line());
    for v in VECTORS.iter().chain(MARKDOWN_VECTORS) {
        b.push_str(&format!("\n{v}\n"));
    }
    b
}

/// The valid site with a vector in every field that reaches the output.
fn hostile_site() -> TempSite {
    let site = TempSite::new("valid");
    let all = line();
    // Site settings and vocabulary names.
    site.write(
        "site.toml",
        &format!(
            "title = {t}\nbase_url = \"https://example.org/xieshang/\"\npage_size = 2\n\
             description = {d}\nlicense = {l}\n\n[vocabularies]\nparticipant_groups = [\n  \
             {{ slug = \"resident-reps\", name = {g1} }},\n  {{ slug = \"officials\", name = {g2} }},\n]\n\n\
             [extra]\ncontact = {c}\n",
            t = q(&format!("测试平台\u{1b}[31m\r {}", VECTORS[0])),
            d = q(&all),
            l = q(&format!("CC BY 4.0 {}", VECTORS[2])),
            g1 = q(&format!("代表 {}", VECTORS[6])),
            g2 = q(&format!("干部 {}", VECTORS[33])),
            c = q(&format!("联系人 {}", VECTORS[34])),
        ),
    );
    // Places: names and summaries (Markdown).
    for place in [
        "content/_place.yaml",
        "content/alpha/_place.yaml",
        "content/beta/garden/_place.yaml",
    ] {
        let text = site.read(place);
        let name_line = text.lines().find(|l| l.starts_with("name:")).unwrap();
        let name = name_line.trim_start_matches("name:").trim();
        let mut new = text.replacen(
            name_line,
            &format!("name: {}", q(&format!("{name} {all}"))),
            1,
        );
        let mut summary = line();
        for v in MARKDOWN_VECTORS.iter().take(6) {
            summary.push(' ');
            summary.push_str(v);
        }
        new.push_str(&format!("summary: {}\n", q(&summary)));
        site.write(place, &new);
    }
    // Every record: its title and its body.
    for (rel, _) in files_in(&site.path("content")) {
        if !rel.ends_with(".md") || !rel.contains("s/") {
            continue;
        }
        let path = format!("content/{rel}");
        let text = site.read(&path);
        let (front, original) = text[4..].split_once("\n---\n").unwrap();
        let title_line = front.lines().find(|l| l.starts_with("title:")).unwrap();
        let title = title_line.trim_start_matches("title:").trim();
        let front = front.replacen(
            title_line,
            &format!("title: {}", q(&format!("{title} {all}"))),
            1,
        );
        site.write(
            &path,
            &format!("---\n{front}\n---\n{}", body(original.trim())),
        );
    }
    // Fields of one kind or another.
    let bridge = "content/alpha/topics/2016-bridge.md";
    site.edit(
        bridge,
        "proposer: 村民联名",
        &format!(
            "proposer: {}\nsummary: {}\nx_note: {}",
            q(&format!("村民联名 {}", VECTORS[3])),
            q(&format!("摘要 {all}")),
            q(&all)
        ),
    );
    let tags: Vec<String> = VECTORS.iter().take(12).map(|v| q(v)).collect();
    site.edit(
        bridge,
        "tags: [桥梁, 基础设施]",
        &format!("tags: [桥梁, {}]", tags.join(", ")),
    );
    site.edit(
        "content/alpha/sessions/2016-bridge-hearing.md",
        "location: 甲镇会议室",
        &format!("location: {}", q(&format!("甲镇会议室 {all}"))),
    );
    let talk = "content/alpha/west/sessions/2026-waste-talk.md";
    site.edit(
        talk,
        "location: 西村文化礼堂",
        &format!("location: {}", q(&format!("西村{ICAL_INJECTION}{all}"))),
    );
    let text = site.read(talk);
    let title_line = text.lines().find(|l| l.starts_with("title:")).unwrap();
    site.edit(
        talk,
        title_line,
        &format!("title: {}", q(&format!("恳谈会{ICAL_INJECTION}{all}"))),
    );
    let decision = "content/alpha/outcomes/2016-bridge-decision.md";
    site.edit(
        decision,
        "responsible: 甲镇建设办",
        &format!("responsible: {}", q(&format!("甲镇建设办 {all}"))),
    );
    site.edit(
        decision,
        "note: 开工}",
        &format!("note: {}}}", q(&format!("开工 {all}"))),
    );
    site.edit(
        decision,
        "note: 通车}",
        &format!("note: {}}}", q(&format!("通车{ICAL_INJECTION}"))),
    );
    // Attachments whose names are vectors (no `/` can be in a name).
    let files = "content/beta/garden/sessions/files";
    let names = [
        "<svg onload=alert('a1')>.pdf",
        "\"><img src=x onerror=alert('a2')>.pdf",
        "javascript:alert('a3').pdf",
        "data:text,html;a4.pdf",
    ];
    for name in names {
        site.write_bytes(&format!("{files}/{name}"), b"%PDF-1.4\n");
    }
    let listed: Vec<String> = names.iter().map(|n| q(&format!("files/{n}"))).collect();
    site.edit(
        "content/beta/garden/sessions/2024-parking-meeting.md",
        "attachments: [files/plan.pdf]",
        &format!("attachments: [files/plan.pdf, {}]", listed.join(", ")),
    );
    site
}

// ------------------------------------------------------------ HTML pages

/// What one page holds that could run: found by html5ever's tokenizer, so
/// attribute values are decoded exactly as a browser decodes them.
#[derive(Default)]
struct PageScan {
    problems: Vec<String>,
    /// The raw-text element being read (`script`, `style`…) and its text.
    raw: Option<RawElement>,
    scripts: Vec<String>,
    json_ld: usize,
}

/// A raw-text element being read: name, attributes, text so far.
type RawElement = (String, Vec<(String, String)>, String);

struct Sink(RefCell<PageScan>);

/// Attributes whose value a browser loads or navigates to.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "codebase",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "ping",
    "manifest",
    "icon",
];

/// Elements that may never come from content.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "isindex", "portal",
];

/// The scheme a browser would see in a URL attribute's (decoded) value:
/// leading and trailing C0 controls and spaces trimmed, tabs and newlines
/// removed anywhere, letters lowercased.
fn scheme_of(value: &str) -> Option<String> {
    let v: String = value
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let colon = v.find(':')?;
    let scheme = &v[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| scheme.to_ascii_lowercase())
}

fn is_bad_url(value: &str) -> bool {
    // `srcset` and `ping` hold lists: check every item.
    value.split([',', ' ']).any(|part| {
        matches!(
            scheme_of(part).as_deref(),
            Some("javascript" | "vbscript" | "data" | "livescript")
        )
    }) || matches!(
        scheme_of(value).as_deref(),
        Some("javascript" | "vbscript" | "data" | "livescript")
    )
}

/// Whether CSS text could run script or load a scheme that does.
fn is_bad_css(css: &str) -> bool {
    let squeezed: String = css
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\\' | '"' | '\''))
        .collect();
    [
        "expression(",
        "javascript:",
        "vbscript:",
        "-moz-binding",
        "behavior:",
        "@import",
    ]
    .iter()
    .any(|bad| squeezed.contains(bad))
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut scan = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                let attrs: Vec<(String, String)> = tag
                    .attrs
                    .iter()
                    .map(|a| {
                        let n = match &a.name.prefix {
                            Some(p) => format!("{p}:{}", a.name.local),
                            None => a.name.local.to_string(),
                        };
                        (n.to_ascii_lowercase(), a.value.to_string())
                    })
                    .collect();
                if tag.kind == TagKind::EndTag {
                    if let Some((open, open_attrs, text)) = scan.raw.take() {
                        if open == name {
                            scan.finish_raw(&open, &open_attrs, &text);
                        } else {
                            scan.raw = Some((open, open_attrs, text));
                        }
                    }
                    return TokenSinkResult::Continue;
                }
                scan.check_start(&name, &attrs);
                let raw = match name.as_str() {
                    "script" => Some(RawKind::ScriptData),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                        Some(RawKind::Rawtext)
                    }
                    "title" | "textarea" => Some(RawKind::Rcdata),
                    _ => None,
                };
                if let Some(kind) = raw.filter(|_| !tag.self_closing) {
                    scan.raw = Some((name, attrs, String::new()));
                    return TokenSinkResult::RawData(kind);
                }
                if name == "plaintext" {
                    scan.problems.push("<plaintext>".into());
                    return TokenSinkResult::Plaintext;
                }
            }
            Token::CharacterTokens(text) => {
                if let Some((_, _, buf)) = scan.raw.as_mut() {
                    buf.push_str(&text);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl PageScan {
    fn check_start(&mut self, name: &str, attrs: &[(String, String)]) {
        if FORBIDDEN_ELEMENTS.contains(&name) {
            self.problems.push(format!("<{name}> element"));
        }
        let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        if name == "meta"
            && attr("http-equiv").is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
        {
            self.problems.push("<meta http-equiv=refresh>".into());
        }
        for (key, value) in attrs {
            if key.starts_with("on") {
                self.problems
                    .push(format!("<{name} {key}=…> event handler: {value:?}"));
            }
            if key == "srcdoc" {
                self.problems.push(format!("<{name} srcdoc>"));
            }
            if (URL_ATTRIBUTES.contains(&key.as_str())
                || key.ends_with(":href")
                || key == "srcset"
                || key == "imagesrcset")
                && is_bad_url(value)
            {
                self.problems
                    .push(format!("<{name} {key}={value:?}> runs script or data"));
            }
            // SVG animation can set a link's target.
            if matches!(name, "animate" | "set")
                && matches!(key.as_str(), "values" | "to" | "from")
                && is_bad_url(value)
            {
                self.problems.push(format!("<{name} {key}={value:?}>"));
            }
            if key == "style" && is_bad_css(value) {
                self.problems.push(format!("<{name} style={value:?}>"));
            }
        }
    }

    fn finish_raw(&mut self, name: &str, attrs: &[(String, String)], text: &str) {
        let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        match name {
            "script" => match attr("type").map(str::trim) {
                Some(t) if t.eq_ignore_ascii_case("application/ld+json") => {
                    self.json_ld += 1;
                    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
                        self.problems.push(format!("JSON-LD does not parse: {e}"));
                    }
                    let lower = text.to_ascii_lowercase();
                    if lower.contains("</script") || lower.contains("<!--") {
                        self.problems
                            .push("JSON-LD holds </script or <!-- unescaped".into());
                    }
                }
                _ => {
                    let src = attr("src").unwrap_or_default().to_string();
                    if !text.trim().is_empty() {
                        self.problems.push(format!("inline script: {text:?}"));
                    }
                    self.scripts.push(src);
                }
            },
            "style" if is_bad_css(text) => {
                self.problems.push(format!("<style> with {text:?}"));
            }
            _ => {}
        }
    }
}

fn scan_html(html: &str) -> PageScan {
    let tokenizer = Tokenizer::new(Sink(RefCell::default()), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let mut scan = tokenizer.sink.0.take();
    if let Some((name, _, _)) = scan.raw.take() {
        if name == "script" || name == "style" {
            scan.problems.push(format!("<{name}> never closed"));
        }
    }
    scan
}

/// The theme's own scripts: the only ones a page may load.
fn is_theme_script(src: &str) -> bool {
    let path = src.strip_prefix("/xieshang/").unwrap_or("");
    let file = path.rsplit('/').next().unwrap_or("");
    path.starts_with("js/")
        && !path.contains("..")
        && (file.starts_with("textsize") || file.starts_with("search"))
        && file.ends_with(".js")
}

#[test]
fn the_scanner_finds_what_it_looks_for() {
    // Each vector, as it would be if it reached a page raw, is caught:
    // the test below cannot pass by looking in the wrong way.
    let caught = |html: &str| {
        !scan_html(html).problems.is_empty() || {
            let s = scan_html(html);
            s.scripts.iter().any(|src| !is_theme_script(src))
        }
    };
    for v in VECTORS.iter().filter(|v| {
        // Inert by nature as written: a comment, a template, text, raw
        // text, a tag named `scr<script` (they attack naive filters).
        !v.contains("v36")
            && !v.contains("v32")
            && !v.contains("v43")
            && !v.contains("v47")
            && !v.contains("v50")
            && !v.contains("v37")
            && !v.contains("v38")
            && !v.contains("v24") // caught below in its own element
    }) {
        assert!(caught(v), "not caught: {v}");
    }
    assert!(caught(VECTORS[23]));
    assert!(!caught(
        "<p title=\"javascript:alert(1)\">&lt;script&gt;<a href=\"/x/\">a</a></p>"
    ));
    assert!(!caught(
        "<script src=\"/xieshang/js/search.js\" defer></script>"
    ));
    assert!(caught("<script src=\"/xieshang/js/../evil.js\"></script>"));
    assert!(caught(
        "<script type=\"application/ld+json\">{\"a\": \"<!--\"}</script>"
    ));
}

// ------------------------------------------------------------ other files

/// The text of every element and attribute of an XML document, unescaped,
/// with the element's `type` attribute; fails if it is not well-formed.
fn xml_texts(name: &str, xml: &str) -> Vec<(String, Option<String>, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let tag = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let mut kind = None;
                for a in e.attributes() {
                    let a = a.unwrap_or_else(|err| panic!("{name}: {err}"));
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    #[allow(deprecated)] // its successor also normalizes spaces
                    let value = a
                        .decode_and_unescape_value(reader.decoder())
                        .unwrap_or_else(|err| panic!("{name}: {err}"))
                        .into_owned();
                    if key == "type" {
                        kind = Some(value.clone());
                    }
                    out.push((format!("{tag}@{key}"), None, value));
                }
                stack.push((tag, kind));
            }
            Ok(Event::End(_)) => {
                stack.pop();
            }
            Ok(Event::Text(t)) => {
                let (tag, kind) = stack.last().cloned().unwrap_or_default();
                let text = t
                    .decode()
                    .unwrap_or_else(|err| panic!("{name}: {err}"))
                    .into_owned();
                let text = quick_xml::escape::unescape(&text)
                    .unwrap_or_else(|err| panic!("{name}: {err}"))
                    .into_owned();
                out.push((tag, kind, text));
            }
            Ok(Event::GeneralRef(r)) => {
                // A character or entity reference inside text.
                let (tag, kind) = stack.last().cloned().unwrap_or_default();
                let raw = String::from_utf8_lossy(&r).into_owned();
                let text = quick_xml::escape::unescape(&format!("&{raw};"))
                    .unwrap_or_else(|err| panic!("{name}: &{raw};: {err}"))
                    .into_owned();
                out.push((tag, kind, text));
            }
            Ok(Event::CData(c)) => {
                let (tag, kind) = stack.last().cloned().unwrap_or_default();
                out.push((tag, kind, String::from_utf8_lossy(&c).into_owned()));
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{name} is not well-formed XML: {e}"),
        }
    }
    out
}

/// Property names a yishi calendar may contain.
const ICAL_PROPERTIES: &[&str] = &[
    "BEGIN",
    "END",
    "VERSION",
    "PRODID",
    "CALSCALE",
    "METHOD",
    "NAME",
    "X-WR-CALNAME",
    "DESCRIPTION",
    "X-WR-CALDESC",
    "UID",
    "DTSTAMP",
    "SUMMARY",
    "URL",
    "DTSTART",
    "DTEND",
    "LOCATION",
];

/// Checks an iCalendar file line by line: CRLF only, lines of at most 75
/// octets, continuation lines start with a space, every unfolded line a
/// known property, components balanced. Returns the unfolded lines.
fn check_ics(name: &str, text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"), "{name}: no CRLF at the end");
    let body = &text[..text.len() - 2];
    let mut unfolded: Vec<String> = Vec::new();
    for raw in body.split("\r\n") {
        assert!(
            !raw.contains(['\r', '\n']),
            "{name}: bare line break in {raw:?}"
        );
        assert!(
            raw.len() <= 75,
            "{name}: line of {} octets: {raw:?}",
            raw.len()
        );
        if let Some(rest) = raw.strip_prefix(' ') {
            unfolded
                .last_mut()
                .unwrap_or_else(|| panic!("{name}: starts with a fold"))
                .push_str(rest);
        } else {
            unfolded.push(raw.to_string());
        }
    }
    let mut depth = Vec::new();
    for l in &unfolded {
        let key_end = l
            .find([':', ';'])
            .unwrap_or_else(|| panic!("{name}: {l:?}"));
        let key = &l[..key_end];
        assert!(
            ICAL_PROPERTIES.contains(&key),
            "{name}: unexpected property {key} in {l:?}"
        );
        match key {
            "BEGIN" => depth.push(l[6..].to_string()),
            "END" => assert_eq!(depth.pop().as_deref(), Some(&l[4..]), "{name}"),
            _ => {}
        }
        if key == "BEGIN" {
            assert!(
                matches!(&l[6..], "VCALENDAR" | "VEVENT"),
                "{name}: component {l:?}"
            );
        }
        // In a text value, a `;` `,` `\` or line break must be escaped.
        if matches!(key, "SUMMARY" | "DESCRIPTION" | "LOCATION" | "NAME") {
            let value = &l[key_end + 1..];
            let mut chars = value.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        let next = chars.next();
                        assert!(
                            matches!(next, Some('\\' | ';' | ',' | 'n' | 'N')),
                            "{name}: bad escape \\{next:?} in {l:?}"
                        );
                    }
                    ';' | ',' => panic!("{name}: unescaped {c:?} in {l:?}"),
                    _ => {}
                }
            }
        }
    }
    assert!(depth.is_empty(), "{name}: unbalanced components");
    unfolded
}

#[test]
fn hostile_content_stays_inert_in_every_output() {
    let site = hostile_site();
    let run = site.build(&[]);
    run.assert_success();
    // `"\r"` in YAML decodes to a carriage return: blanked, with a warning.
    assert!(
        run.stderr.contains("转义写出的控制字符 U+000D"),
        "{}",
        run.stderr
    );
    let files = files_in(&site.path("public"));
    let mut by_ext: BTreeMap<&str, usize> = BTreeMap::new();
    let mut problems: Vec<String> = Vec::new();
    let mut json_ld = 0;
    let mut csv_rows = 0;
    for (name, bytes) in &files {
        let ext = name.rsplit('.').next().unwrap_or("");
        *by_ext.entry(ext).or_default() += 1;
        if name.contains("/files/") {
            continue; // attachments, copied as they are
        }
        let text = || String::from_utf8(bytes.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        match ext {
            "html" => {
                let scan = scan_html(&text());
                json_ld += scan.json_ld;
                for p in scan.problems {
                    problems.push(format!("{name}: {p}"));
                }
                for src in scan.scripts {
                    if !is_theme_script(&src) {
                        problems.push(format!("{name}: script {src:?}"));
                    }
                }
            }
            "xml" => {
                for (tag, kind, value) in xml_texts(name, &text()) {
                    match kind.as_deref() {
                        Some("html" | "xhtml") => {
                            let scan = scan_html(&value);
                            for p in scan.problems {
                                problems.push(format!("{name} <{tag}>: {p}"));
                            }
                            if !scan.scripts.is_empty() {
                                problems.push(format!("{name} <{tag}>: script"));
                            }
                        }
                        Some("text") | None => {}
                        Some(other) => problems.push(format!("{name} <{tag} type={other}>")),
                    }
                    // Every link and id in a feed or the sitemap is the site's.
                    let link =
                        tag.ends_with("@href") || matches!(tag.as_str(), "loc" | "id" | "uri");
                    let ours = value.starts_with("https://example.org/xieshang/")
                        || value.starts_with("tag:example.org,");
                    if link && (is_bad_url(&value) || !ours) {
                        problems.push(format!("{name} <{tag}>: {value:?}"));
                    }
                }
            }
            "ics" => {
                check_ics(name, &text());
                let cal: icalendar::Calendar = text()
                    .parse()
                    .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
                for c in &cal.components {
                    if let icalendar::CalendarComponent::Event(e) = c {
                        if icalendar::Component::property_value(e, "ATTACH").is_some() {
                            problems.push(format!("{name}: ATTACH injected"));
                        }
                    }
                }
            }
            "json" => {
                let value: serde_json::Value = serde_json::from_slice(bytes)
                    .unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
                // Every string is data; an href-like field must be ours.
                walk_json(&value, &mut |key, s| {
                    if matches!(key, "u" | "url" | "href" | "page" | "feed" | "calendar")
                        && is_bad_url(s)
                    {
                        problems.push(format!("{name}: {key} = {s:?}"));
                    }
                });
            }
            "csv" => {
                let data = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                let mut reader = csv::ReaderBuilder::new().from_reader(data);
                let width = reader.headers().unwrap().len();
                for row in reader.records() {
                    let row = row.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(row.len(), width, "{name}: {row:?}");
                    csv_rows += 1;
                }
            }
            _ => {}
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // What was read: every kind of output, enough of each.
    for (ext, at_least) in [
        ("html", 30),
        ("xml", 4),
        ("ics", 2),
        ("json", 3),
        ("csv", 1),
    ] {
        let n = by_ext.get(ext).copied().unwrap_or(0);
        assert!(n >= at_least, "{n} .{ext} files: {by_ext:?}");
    }
    assert!(csv_rows > 10, "{csv_rows} CSV rows");
    for page in [
        "404.html",
        "search/index.html",
        "data/index.html",
        "alpha/topics/2016-bridge/print.html",
        "beta/garden/sessions/2024-parking-meeting/print.html",
    ] {
        assert!(files.contains_key(page), "{page} was not scanned");
    }
    assert_eq!(json_ld, 0, "JSON-LD blocks were checked; update the count");

    // The vectors did reach the output, as inert text: the test cannot pass
    // by building nothing.
    let topic = site.page("alpha/topics/2016-bridge/");
    for sample in [
        "<h1>跨村便民桥建设 &lt;script&gt;alert(&#39;v01&#39;)&lt;/script&gt;",
        "{{ 7*7 }}",
        "村民联名 &lt;IMG",
    ] {
        assert!(topic.contains(sample), "{sample} not in the topic page");
    }
    assert!(!topic.contains(">49<"), "template text was evaluated");
    assert!(topic.contains("v22"), "body kept");
    let meeting = site.page("beta/garden/sessions/2024-parking-meeting/");
    assert!(
        meeting.contains("alert(&#39;a1&#39;)&gt;.pdf"),
        "attachment name"
    );
    let place = site.page("alpha/");
    assert!(place.contains("&lt;svg onload=alert"), "place name");
    let search = files
        .iter()
        .filter(|(n, _)| n.starts_with("search/"))
        .any(|(_, b)| String::from_utf8_lossy(b).contains("<script>alert('v01')</script>"));
    assert!(search, "the search index holds the text as text");
    let feed = site.read("public/feed.xml");
    assert!(
        feed.contains("跨村便民桥建设 &lt;script&gt;alert(&apos;v01&apos;)&lt;/script&gt;"),
        "feed"
    );
    // The escape character and carriage return of the site's title are
    // spaces in XML, which cannot hold them.
    assert!(feed.contains("测试平台 [31m  &lt;script&gt;"), "feed title");
    let calendar = site.read("public/calendar.ics").replace("\r\n ", "");
    assert!(
        calendar.contains("西村注入 \\nATTACH:http://xss.example/evil \\nBEGIN:VEVENT\\nSUMMARY:假会议\\;x\\,y\\\\n"),
        "calendar: {calendar}"
    );
    let csv = String::from_utf8_lossy(&files["data/topics.csv"]).into_owned();
    assert!(csv.contains("alert('v03')"), "csv");
}

fn walk_json(value: &serde_json::Value, f: &mut dyn FnMut(&str, &str)) {
    fn go(key: &str, value: &serde_json::Value, f: &mut dyn FnMut(&str, &str)) {
        match value {
            serde_json::Value::String(s) => f(key, s),
            serde_json::Value::Array(a) => a.iter().for_each(|v| go(key, v, f)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, v)| go(k, v, f)),
            _ => {}
        }
    }
    go("", value, f);
}

/// The search client shows what the index holds as text: no markup
/// insertion anywhere, and only site-relative links.
#[test]
fn the_search_client_inserts_text_not_html() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/js");
    let mut read = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "js") {
            continue;
        }
        let js = std::fs::read_to_string(&path).unwrap();
        read += 1;
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "createContextualFragment",
            "DOMParser",
            "eval(",
            "new Function",
            "setTimeout('",
            "setTimeout(\"",
        ] {
            assert!(!js.contains(sink), "{}: {sink}", path.display());
        }
    }
    assert!(read >= 2);
    let search = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/js/search.js"),
    )
    .unwrap();
    assert!(search.contains(".textContent = text"), "text, not HTML");
    // `/\evil.example` is a protocol-relative link to a browser.
    assert!(
        search.contains("/^\\/(?![\\/\\\\])/"),
        "site-relative links only"
    );
}
