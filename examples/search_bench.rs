//! Build the search index of a large synthetic site and measure it.
//!
//! ```text
//! TMPDIR=/dev/shm cargo run --release --example search_bench -- --docs 100000
//! ```
//!
//! Prints the time to generate the docs alone, the time to build the index
//! (generation included, files written under `--out`), peak memory, the
//! files written, and for sample queries the files and bytes the browser
//! would download (first page included), computed by `search::reader`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use rayon::prelude::*;
use yishi::search::reader::{Query, Reader};
use yishi::search::{self, Doc, DocFacets, FacetPlace, Facets};

// As the yishi binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "search_bench", about = "搜索索引的构建与查询测量")]
struct Args {
    /// Number of docs
    #[arg(long, default_value_t = 10000)]
    docs: usize,
    /// Output folder (default: $TMPDIR/yishi-search-bench); emptied first
    #[arg(long)]
    out: Option<PathBuf>,
    /// Hand files to a `put` that discards them (measures indexing only)
    #[arg(long)]
    discard: bool,
    /// Extra queries to measure
    #[arg(long)]
    query: Vec<String>,
}

/// splitmix64, one stream per doc.
struct Rng(u64);

impl Rng {
    fn for_doc(i: usize) -> Rng {
        let mut r = Rng(0x5eed_0000_0000_0000 ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TOWNS: usize = 40;
const VILLAGES_PER_TOWN: usize = 10;
const YEARS: std::ops::RangeInclusive<i32> = 2015..=2026;

const TOWN_NAMES: [&str; 20] = [
    "青石", "白沙", "桃源", "梅溪", "柳塘", "双桥", "云岭", "枫林", "金竹", "龙潭", "凤山", "清泉",
    "石门", "东湖", "西岗", "南浦", "北渚", "杏花", "松涛", "竹溪",
];
const VILLAGE_NAMES: [&str; 12] = [
    "李家桥",
    "王家坝",
    "张庄",
    "陈湾",
    "刘家岭",
    "杨柳",
    "赵家沟",
    "黄泥",
    "周家塘",
    "吴村",
    "徐家埠",
    "孙家圩",
];
const TYPES: [&str; 11] = [
    "公共事务",
    "公益事业",
    "物业权益",
    "志愿服务",
    "发展规划",
    "项目建设",
    "土地承包",
    "拆迁补偿",
    "环境保护",
    "年度预决算",
    "其他",
];
const STATUSES: [&str; 6] = ["征集中", "协商中", "已决定", "实施中", "已办结", "已撤回"];
const KINDS: [&str; 3] = ["议题", "协商会议", "协商成果"];
const PROJECTS: [&str; 24] = [
    "村道硬化工程",
    "道路硬化",
    "危桥改建",
    "灌溉渠道修缮",
    "自来水管网改造",
    "太阳能路灯安装",
    "老年食堂建设",
    "宅基地拆迁补偿",
    "征地补偿安置",
    "年度财务预算",
    "集体收益分配方案",
    "生活污水治理",
    "河道清淤整治",
    "垃圾分类",
    "物业服务费调整",
    "加装电梯",
    "停车位分配",
    "承包地流转",
    "村庄规划修编",
    "乡村旅游发展",
    "文化礼堂建设",
    "村史馆建设",
    "防汛志愿服务队组建",
    "古树名木保护",
];
const SENTENCES: [&str; 24] = [
    "近年来群众对{X}的意见比较集中，多次在村民代表会议上提出。",
    "村两委在走访中收集到与{X}有关的意见建议{K}条，经梳理后列为本年度协商议题。",
    "按照先协商后决策的要求，{X}事项在决策前须向全体村民公开，并充分听取各方面意见。",
    "据初步测算，{X}总投资约{K}万元，其中申请上级补助资金，其余由村集体自筹。",
    "此事涉及{K}个村民小组、约{K}户群众的切身利益，群众关注度较高。",
    "村民{N}等人联名提出{X}的建议，村两委受理后进行了实地调查。",
    "实施范围覆盖{K}个村民小组，优先解决群众反映最集中的问题。",
    "资金来源为上级补助、村集体经济收入和受益农户适当出资三部分。",
    "由村务监督委员会全程监督，重要节点邀请村民代表到现场查看。",
    "施工单位通过公开比选确定，比选结果在村务公开栏公示{K}天。",
    "涉及占用农户土地的，按照统一标准给予补偿，补偿明细逐户公示。",
    "项目完成后由村集体负责日常管护，管护经费纳入年度预算。",
    "有代表提出资金测算偏粗，要求委托第三方机构重新核算。",
    "{N}代表建议分期实施，先易后难，第一期先解决最紧迫的问题。",
    "部分群众担心施工影响出行，要求提前公布施工时间和绕行方案。",
    "经表决，赞成{K}票，反对{K}票，弃权{K}票，方案获得通过。",
    "会议由村党组织书记{N}主持，镇包村干部列席会议。",
    "村务监督委员会主任{N}通报了上一阶段资金使用情况。",
    "与会人员围绕{X}的实施步骤、资金来源和后期管护逐项进行了讨论。",
    "会后将协商结果在村务公开栏和村民微信群公示{K}天，接受群众监督。",
    "截至目前，{X}已完成总工程量的{K}%，预计年底前全面完工。",
    "现有道路长约{K}米，路面宽不足四米，雨天泥泞，农用车和校车会车困难。",
    "因道路拓宽工程需要，涉及{K}户农户房屋拆迁和部分耕地征收。",
    "本年度预算重点保障村级组织运转、公益事业和困难群众救助三方面支出。",
];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";

fn place_of(i: usize) -> (usize, usize) {
    let mut r = Rng::for_doc(i ^ 0xabcdef);
    let town = r.below(TOWNS);
    (town, r.below(VILLAGES_PER_TOWN))
}

fn town_name(t: usize) -> String {
    format!(
        "{}{}",
        TOWN_NAMES[t % TOWN_NAMES.len()],
        ["镇", "乡", "街道"][t / TOWN_NAMES.len() % 3]
    )
}

fn village_name(t: usize, v: usize) -> String {
    let root = VILLAGE_NAMES[(t * 7 + v) % VILLAGE_NAMES.len()];
    format!("{root}{}", ["村", "社区"][(t + v) % 2])
}

/// A person's name: a surname and one or two random common characters
/// (the long tail of rare bigrams real text has).
fn name(r: &mut Rng) -> String {
    let s: Vec<char> = SURNAMES.chars().collect();
    let mut out = String::new();
    out.push(s[r.below(s.len())]);
    for _ in 0..1 + r.below(2) {
        out.push(char::from_u32(0x4E00 + r.below(6000) as u32).unwrap_or('某'));
    }
    out
}

fn doc(i: usize, n: usize) -> Doc {
    let mut r = Rng::for_doc(i);
    let (town, village) = place_of(i);
    let kind = r.below(3);
    let ty = r.below(TYPES.len());
    let project = r.pick(&PROJECTS);
    // Newest first: dates fall with i across the years.
    let span = (YEARS.end() - YEARS.start() + 1) as usize * 365;
    let day = span - 1 - i * span / n.max(1);
    let year = YEARS.start() + (day / 365) as i32;
    let date = format!(
        "{year}-{:02}-{:02}",
        day % 365 / 31 + 1,
        (day % 365 % 31).min(27) + 1
    );
    let place = format!("{} · {}", town_name(town), village_name(town, village));
    let title = format!(
        "{}{}{}",
        village_name(town, village),
        project,
        ["议题", "协商会", "协商结果公示"][kind]
    );
    let target = 200 + r.below(1300);
    let mut body = String::with_capacity(target * 4);
    let mut chars = 0;
    while chars < target {
        let s = r.pick(&SENTENCES);
        let mut k = s.to_string();
        while let Some(p) = k.find("{X}") {
            k.replace_range(p..p + 3, project);
        }
        while let Some(p) = k.find("{K}") {
            k.replace_range(p..p + 3, &(1 + r.below(500)).to_string());
        }
        while let Some(p) = k.find("{N}") {
            k.replace_range(p..p + 3, &name(&mut r));
        }
        chars += k.chars().count();
        body.push_str(&k);
        if r.below(4) == 0 {
            body.push('\n');
        }
    }
    let status = (kind == 0).then(|| r.below(STATUSES.len()));
    let text = format!(
        "{}年{}月，{}{}的{}事项。\n{}\n{} {} {}",
        year,
        day % 365 / 31 + 1,
        village_name(town, village),
        ["提出", "召开会议协商", "形成"][kind],
        project,
        body,
        TYPES[ty],
        place,
        ["道路", "拆迁", "预算", "民生实事"][r.below(4)]
    );
    let village_id = TOWNS + town * VILLAGES_PER_TOWN + village;
    Doc {
        url: format!("/t{town}/v{village}/r{i}/"),
        title,
        tags: String::new(),
        kind: KINDS[kind].to_string(),
        place,
        date,
        status: status.map(|s| STATUSES[s].to_string()),
        text,
        facets: DocFacets {
            places: vec![town as u32, village_id as u32],
            topic_type: (kind == 0).then_some(ty as u32),
            year,
            status: status.map(|s| s as u32),
        },
    }
}

fn facets() -> Facets {
    let mut places: Vec<FacetPlace> = (0..TOWNS)
        .map(|t| FacetPlace {
            name: town_name(t),
            depth: 0,
        })
        .collect();
    for t in 0..TOWNS {
        for v in 0..VILLAGES_PER_TOWN {
            places.push(FacetPlace {
                name: format!("{} · {}", town_name(t), village_name(t, v)),
                depth: 1,
            });
        }
    }
    Facets {
        places,
        topic_types: TYPES.iter().map(|s| s.to_string()).collect(),
        years: YEARS.rev().collect(),
        statuses: STATUSES.iter().map(|s| s.to_string()).collect(),
    }
}

fn vm(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l[field.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

/// CPU seconds (user + system) used by the process so far.
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split(' ').collect();
            Some((f[11].parse::<f64>().ok()? + f[12].parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

fn main() {
    let args = Args::parse();
    let n = args.docs;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("yishi-search-bench"));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("output folder");

    let (t, c) = (Instant::now(), cpu());
    let text_bytes: usize = (0..n).into_par_iter().map(|i| doc(i, n).text.len()).sum();
    let gen = t.elapsed();
    let gen_cpu = cpu() - c;
    println!(
        "docs: {n}, plain text {:.1} MB ({:.0} bytes/doc); generating alone: {:.2} s ({:.2} s CPU)",
        text_bytes as f64 / 1e6,
        text_bytes as f64 / n.max(1) as f64,
        gen.as_secs_f64(),
        gen_cpu
    );
    println!("memory before build: VmRSS {}", vm("VmRSS:"));

    let f = facets();
    let (t, c) = (Instant::now(), cpu());
    let put = |path: &str, bytes: Vec<u8>| -> std::io::Result<()> {
        if args.discard {
            return Ok(());
        }
        let p = out.join(path);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(p, bytes)
    };
    let stats = search::build(n, &|i| doc(i, n), &f, &put).expect("build");
    let took = t.elapsed();
    let took_cpu = cpu() - c;
    println!(
        "build: {:.2} s, {:.2} s CPU (index alone ≈ {:.2} s CPU), {} threads",
        took.as_secs_f64(),
        took_cpu,
        took_cpu - gen_cpu,
        rayon::current_num_threads()
    );
    println!("peak memory: VmHWM {}", vm("VmHWM:"));
    println!(
        "files: {}, {:.1} MB, largest {} bytes; terms {}, shards {}, external lists {}, newest first: {}",
        stats.files,
        stats.bytes as f64 / 1e6,
        stats.largest_file,
        stats.terms,
        stats.shards,
        stats.external_lists,
        stats.newest_first
    );
    if args.discard {
        return;
    }

    let root: &Path = &out;
    let reader = Reader::open(|p: &str| std::fs::read(root.join("search").join(p)).ok())
        .expect("open index");
    let mut queries: Vec<Query> = ["道路硬化", "拆迁", "预算", "村民", "2024", "拆迁补偿"]
        .iter()
        .map(|q| Query {
            q: q.to_string(),
            ..Query::default()
        })
        .collect();
    queries.push(Query {
        q: "村民".into(),
        place: Some(3),
        year: Some(2),
        ..Query::default()
    });
    queries.push(Query {
        q: String::new(),
        place: Some(TOWNS as u32 + 5),
        ..Query::default()
    });
    queries.extend(args.query.iter().map(|q| Query {
        q: q.clone(),
        ..Query::default()
    }));
    println!("query                      results  shown  files   bytes   (largest file)");
    for q in &queries {
        let r = reader.search(q, 10).expect("query");
        let largest = r
            .fetched
            .iter()
            .map(|p| {
                std::fs::metadata(root.join("search").join(p))
                    .map(|m| m.len())
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0);
        let label = format!(
            "{}{}",
            q.q,
            if q.place.is_some() || q.year.is_some() {
                format!(" [place {:?} year {:?}]", q.place, q.year)
            } else {
                String::new()
            }
        );
        println!(
            "{label:<26} {}{:>7}  {:>5}  {:>5}  {:>7}   ({largest})",
            if r.exact { " " } else { "~" },
            r.total,
            r.hits.len(),
            r.files,
            r.bytes
        );
    }
}
