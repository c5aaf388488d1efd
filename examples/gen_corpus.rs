//! Generate a large, valid, deterministic yishi site for load and regression
//! testing.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --records 100000 --seed 7 --out /tmp/corpus
//! ```
//!
//! The output is a complete site (`site.toml` and `content/`) that passes
//! `yishi check` with no warnings when checked `--as-of 2026-11-28`. The same
//! `--records` and `--seed` always give byte-identical output. Every digit run
//! in a record is at most 10 digits long, so the privacy scanner never fires.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use clap::Parser;
use rayon::prelude::*;

#[derive(Parser)]
#[command(
    name = "gen_corpus",
    about = "生成一个有效的、可复现的 yishi 测试站点（site.toml 与 content/）"
)]
struct Args {
    /// Number of records (topics + sessions + outcomes)
    #[arg(long, default_value_t = 1000)]
    records: usize,
    /// Seed of the generator: the same records and seed give identical output
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder (created; must be empty unless --force)
    #[arg(long)]
    out: PathBuf,
    /// Write into a non-empty folder: first delete its content/ and site.toml
    #[arg(long)]
    force: bool,
    /// Lengthen every record's body to about this many bytes with a section
    /// of speeches, like real minutes (0: bodies of 200–1,500 characters)
    #[arg(long, default_value_t = 0)]
    body_bytes: usize,
}

// ---------------------------------------------------------------------------
// Random numbers: splitmix64, small and reproducible everywhere.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x6a09_e667_f3bc_c908);
        r.next_u64();
        r
    }

    /// An independent stream for one record.
    fn derive(seed: u64, tag: u64, index: usize) -> Rng {
        let mut base = Rng::new(seed);
        let a = base.next_u64();
        Rng::new(
            a ^ tag.wrapping_mul(0x9e37_79b9_7f4a_7c15)
                ^ (index as u64).wrapping_mul(0xd1b5_4a32_d192_ed03),
        )
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------
// Days, counted from 0001-01-01 (chrono's days from CE).

type Day = i32;

fn day(y: i32, m: u32, d: u32) -> Day {
    NaiveDate::from_ymd_opt(y, m, d)
        .expect("valid date")
        .num_days_from_ce()
}

fn ymd(d: Day) -> (i32, u32, u32) {
    let n = NaiveDate::from_num_days_from_ce_opt(d).expect("date in range");
    (n.year(), n.month(), n.day())
}

fn iso(d: Day) -> String {
    let (y, m, dd) = ymd(d);
    format!("{y:04}-{m:02}-{dd:02}")
}

fn cn_date(d: Day) -> String {
    let (y, m, dd) = ymd(d);
    format!("{y}年{m}月{dd}日")
}

fn year_of(d: Day) -> i32 {
    ymd(d).0
}

struct Calendar {
    start: Day,
    as_of: Day,
    last: Day,
    propose_end: Day,
    close_propose_max: Day,
    close_session_max: Day,
    upcoming_from: Day,
}

impl Calendar {
    fn new() -> Calendar {
        Calendar {
            start: day(2015, 1, 5),
            as_of: day(2026, 11, 28),
            last: day(2026, 12, 31),
            propose_end: day(2026, 12, 18),
            close_propose_max: day(2026, 8, 31),
            close_session_max: day(2026, 10, 31),
            upcoming_from: day(2026, 1, 1),
        }
    }
}

// ---------------------------------------------------------------------------
// Vocabularies: (slug, name, village spelling, community spelling).

const TOPIC_TYPES: [(&str, &str); 11] = [
    ("public-affairs", "公共事务"),
    ("public-welfare", "公益事业"),
    ("property-rights", "物业权益"),
    ("volunteer-service", "志愿服务"),
    ("development-planning", "发展规划"),
    ("project-construction", "项目建设"),
    ("land-contracting", "土地承包"),
    ("demolition-compensation", "拆迁补偿"),
    ("environmental-protection", "环境保护"),
    ("annual-budget", "年度预决算"),
    ("other", "其他"),
];

/// (slug, name, village alias, community alias, display word).
const SESSION_FORMS: [(&str, &str, &str, &str, &str); 10] = [
    (
        "representatives-meeting",
        "村(居)民代表会议",
        "村民代表会议",
        "居民代表会议",
        "代表会议",
    ),
    (
        "deliberation-council",
        "村(居)民议事会",
        "村民议事会",
        "居民议事会",
        "议事会",
    ),
    (
        "supervision-committee",
        "村务监督管理会",
        "村务监督管理会",
        "村务监督管理会",
        "村务监督管理会",
    ),
    (
        "communication-meeting",
        "民主沟通会",
        "民主沟通会",
        "民主沟通会",
        "民主沟通会",
    ),
    (
        "major-affairs-review",
        "重大事务论证会",
        "重大事务论证会",
        "重大事务论证会",
        "重大事务论证会",
    ),
    (
        "opinion-poll",
        "民意调查",
        "民意调查",
        "民意调查",
        "民意调查",
    ),
    (
        "public-talk",
        "民情恳谈",
        "民情恳谈",
        "民情恳谈",
        "民情恳谈会",
    ),
    (
        "civil-consultation",
        "民事协商",
        "民事协商",
        "民事协商",
        "民事协商会",
    ),
    (
        "public-hearing",
        "民主听证",
        "民主听证",
        "民主听证",
        "民主听证会",
    ),
    ("other", "其他", "其他", "其他", "协商会"),
];

const GROUPS: [(&str, &str, &str, &str); 11] = [
    ("resident-reps", "村(居)民代表", "村民代表", "居民代表"),
    ("residents", "村(居)民", "村民", "居民"),
    (
        "new-economic-orgs",
        "新经济组织",
        "新经济组织",
        "新经济组织",
    ),
    (
        "new-social-groups",
        "新社会群体",
        "新社会群体",
        "新社会群体",
    ),
    ("vulnerable-groups", "弱势群体", "弱势群体", "弱势群体"),
    ("social-orgs", "社会组织", "社会组织", "社会组织"),
    ("party-reps", "党代表", "党代表", "党代表"),
    ("npc-deputies", "人大代表", "人大代表", "人大代表"),
    ("cppcc-members", "政协委员", "政协委员", "政协委员"),
    ("officials", "政府部门", "政府部门", "政府部门"),
    ("other", "其他", "其他", "其他"),
];

const RESULTS: [(&str, &str); 4] = [
    ("adopted", "通过"),
    ("partly-adopted", "部分采纳"),
    ("rejected", "未通过"),
    ("deferred", "暂缓"),
];

const STATES: [(&str, &str); 4] = [
    ("started", "已启动"),
    ("in-progress", "推进中"),
    ("done", "已完成"),
    ("stopped", "已终止"),
];
const STARTED: usize = 0;
const IN_PROGRESS: usize = 1;
const DONE: usize = 2;
const STOPPED: usize = 3;

// ---------------------------------------------------------------------------
// Text pools.

const TOWN_ROOTS: [&str; 32] = [
    "青石", "白沙", "桃源", "梅溪", "柳塘", "双桥", "云岭", "枫林", "金竹", "龙潭", "凤山", "清泉",
    "石门", "东湖", "西岗", "南浦", "北渚", "杏花", "松涛", "竹溪", "荷塘", "芦花", "新安", "永丰",
    "长乐", "太平", "横山", "落霞", "丰收", "望江", "临川", "安澜",
];

const VILLAGE_ROOTS: [&str; 80] = [
    "李家桥",
    "王家坝",
    "张家湾",
    "陈家埠",
    "刘庄",
    "赵巷",
    "周塘",
    "吴墩",
    "徐圩",
    "孙桥",
    "马鞍",
    "牛角",
    "杨柳",
    "桑园",
    "茶山",
    "果园",
    "盐仓",
    "渔港",
    "山口",
    "岭下",
    "溪头",
    "塘口",
    "坝上",
    "湖滨",
    "河西",
    "河东",
    "新桥",
    "老街",
    "古井",
    "石坂",
    "枫岭",
    "南山",
    "北山",
    "东坞",
    "西坞",
    "大坪",
    "小坪",
    "高田",
    "平田",
    "沙洲",
    "芦荡",
    "荷叶",
    "莲花",
    "梅园",
    "兰亭",
    "桂花",
    "竹林",
    "松坡",
    "柏树",
    "樟树",
    "银杏",
    "金山",
    "银湖",
    "龙泉",
    "凤鸣",
    "鹤岭",
    "鹿苑",
    "燕子",
    "黄泥",
    "红岩",
    "青龙",
    "白马",
    "五里",
    "三元",
    "双溪",
    "九龙",
    "百丈",
    "千秋",
    "万安",
    "和平",
    "团结",
    "光明",
    "幸福",
    "民主",
    "建设",
    "新华",
    "胜利",
    "永安",
    "同心",
    "前进",
];

/// Per topic type: projects (the `{X}` slot).
const PROJECTS: [[&str; 5]; 11] = [
    [
        "村规民约修订",
        "公墓管理办法",
        "集体资产出租",
        "村务公开栏改造",
        "红白喜事操办标准",
    ],
    [
        "自来水管网改造",
        "太阳能路灯安装",
        "老年食堂建设",
        "卫生室改建",
        "健身广场建设",
    ],
    [
        "物业服务费调整",
        "老旧小区加装电梯",
        "小区停车位分配",
        "专项维修资金使用",
        "物业服务企业选聘",
    ],
    [
        "防汛志愿服务队组建",
        "助老志愿服务",
        "夜间巡逻队组建",
        "垃圾分类督导志愿服务",
        "义务植树活动",
    ],
    [
        "村庄规划修编",
        "乡村旅游发展规划",
        "特色农业产业布局",
        "集体经济发展计划",
        "农贸市场搬迁",
    ],
    [
        "村道硬化工程",
        "危桥改建工程",
        "灌溉渠道修缮",
        "文化礼堂建设",
        "公共停车场建设",
    ],
    [
        "承包地流转",
        "机动地发包",
        "林地经营权入股",
        "承包地小调整",
        "鱼塘承包续租",
    ],
    [
        "宅基地拆迁补偿",
        "征地补偿安置",
        "危旧房拆除补助",
        "青苗补偿标准",
        "安置房分配",
    ],
    [
        "生活垃圾分类",
        "生活污水治理",
        "河道清淤整治",
        "畜禽养殖污染整治",
        "废旧厂房环境整治",
    ],
    [
        "年度财务预算",
        "年度财务决算",
        "年度集体收益分配方案",
        "年度公益事业资金安排",
        "年度村级组织运转经费预算",
    ],
    [
        "村史馆建设",
        "传统节庆活动安排",
        "文明家庭评选办法",
        "自然村名规范",
        "古树名木保护",
    ],
];

const TAGS: [[&str; 4]; 11] = [
    ["村规民约", "集体资产", "村务公开", "移风易俗"],
    ["饮水安全", "路灯", "养老", "民生实事"],
    ["物业", "加装电梯", "停车", "维修资金"],
    ["志愿服务", "防汛", "助老", "平安建设"],
    ["村庄规划", "乡村旅游", "产业发展", "集体经济"],
    ["道路", "桥梁", "农田水利", "基础设施"],
    ["土地流转", "承包地", "林地", "集体经济"],
    ["拆迁", "征地", "补偿标准", "安置"],
    ["垃圾分类", "污水治理", "河道", "人居环境"],
    ["预算", "决算", "财务公开", "收益分配"],
    ["乡村文化", "村史", "文明创建", "古树保护"],
];

/// Per topic type: background sentences.
const THEME: [[&str; 3]; 11] = [
    [
        "现行村规民约制定于{E}年，部分条款已不适应当前实际，群众要求修订。",
        "集体资产出租合同将于年内到期，续租条件和租金标准需要重新协商确定。",
        "公墓管理长期缺乏统一规则，存在乱埋乱葬和占用耕地的现象。",
    ],
    [
        "部分村民小组自来水压力不足，夏季用水高峰时有{K}个小组经常停水。",
        "村内主干道夜间没有照明，老人和学生晚上出行存在安全隐患。",
        "全村{N}名常住人口中六十岁以上老人约占{R}%，不少独居老人吃饭成问题。",
    ],
    [
        "小区交付使用已有二十多年，楼道设施老化，物业服务费多年未作调整。",
        "小区现有机动车约{H}辆，而规划车位不足一半，停车矛盾日益突出。",
        "部分高层住户反映电梯故障频繁，要求动用专项维修资金进行更换。",
    ],
    [
        "每年汛期需要组织人员巡查堤坝和低洼地段，仅靠村干部的力量明显不足。",
        "村里留守老人较多，群众希望建立经常性的助老志愿服务机制。",
        "目前已有{n}名村民自愿报名参加，其中党员约占三成。",
    ],
    [
        "现行村庄规划编制于{E}年，已不能适应乡村振兴和产业发展的新要求。",
        "村里山水资源较好，近年来周末游客明显增多，但停车、餐饮等配套跟不上。",
        "规划拟将零散的工业用地集中布局，腾退的土地用于发展特色农业。",
    ],
    [
        "现有道路长约{M}米，路面宽不足四米，雨天泥泞，农用车和校车会车困难。",
        "村口老桥建于上世纪七十年代，经鉴定为危桥，目前只能限制通行。",
        "灌溉渠道年久失修，渗漏严重，下游约{A}亩农田的灌溉得不到保障。",
    ],
    [
        "全村承包地约{A}亩，其中常年撂荒或粗放经营的约占{R}%。",
        "有农业企业提出整片流转{A}亩耕地发展规模种植，流转期限拟定为{K}年。",
        "二轮承包以来人口变化较大，部分农户要求对承包地进行小调整。",
    ],
    [
        "因{T}道路拓宽工程需要，涉及{K}户农户房屋拆迁和部分耕地征收。",
        "补偿标准参照{T}现行规定，房屋按结构类型分档补偿，另给予搬迁和过渡补助。",
        "部分农户对房屋评估结果有异议，要求重新评估并公开评估依据。",
    ],
    [
        "村内生活污水大多直排沟渠，夏季异味明显，河道水质逐年下降。",
        "生活垃圾分类推行{K}年来，分类准确率仍然不高，群众参与的积极性有待提高。",
        "村东几家养殖场距离居民区较近，粪污处理设施不完善，周边群众意见较大。",
    ],
    [
        "{Y}年村集体经营性收入预计{W}万元，主要来自厂房出租和土地流转收益。",
        "上年度财务决算已经村务监督委员会审核，收支相抵结余{w}万元。",
        "本年度预算重点保障村级组织运转、公益事业和困难群众救助三方面支出。",
    ],
    [
        "村里保存着不少老照片、老农具和族谱资料，群众希望建一处村史馆集中展示。",
        "每年春节前后的传统文化活动由群众自发组织，缺少统一安排和经费保障。",
        "村里有{K}株百年以上的古树，近年来受施工和病虫害影响，长势变差。",
    ],
];

const BACKGROUND: [&str; 8] = [
    "{P}现有{H}户、{N}人，近年来群众对{X}的意见比较集中，多次在村民代表会议上提出。",
    "{Y}年初，村两委在走访中收集到与{X}有关的意见建议{K}条，经梳理后列为本年度协商议题。",
    "按照“先协商后决策”的要求，{X}事项在决策前须向全体村民公开，并充分听取各方面意见。",
    "{T}对{X}高度重视，要求{P}在广泛征求意见的基础上形成可操作的方案。",
    "据初步测算，{X}总投资约{W}万元，其中申请上级补助资金{w}万元，其余由村集体自筹。",
    "此事涉及{K}个村民小组、约{H}户群众的切身利益，群众关注度较高。",
    "{D}，村民代表联名提出{X}的建议，村两委受理后进行了实地调查。",
    "类似问题在周边村已有较好的做法，村两委组织代表到邻村学习了{K}次。",
];

const PLAN_POINTS: [&str; 10] = [
    "实施范围覆盖{K}个村民小组，优先解决群众反映最集中的问题；",
    "资金来源为上级补助、村集体经济收入和受益农户适当出资三部分；",
    "由村务监督委员会全程监督，重要节点邀请村民代表到现场查看；",
    "施工单位通过公开比选确定，比选结果在村务公开栏公示{K}天；",
    "涉及占用农户土地的，按照{T}统一标准给予补偿，补偿明细逐户公示；",
    "项目完成后由村集体负责日常管护，管护经费纳入年度预算；",
    "对困难家庭、残疾人家庭给予适当照顾，具体名单由村民代表会议确定；",
    "方案实施前再次召开协商会议，通报施工安排和安全措施；",
    "每季度在村务公开栏公布资金使用情况，接受群众监督；",
    "工期安排尽量避开农忙季节，预计工期{K}个月。",
];

const OPINIONS: [&str; 12] = [
    "有代表提出资金测算偏粗，要求委托第三方机构重新核算；",
    "多数代表赞成方案的总体思路，建议先在{K}组试点，再全面推开；",
    "老年代表希望施工期间保留临时通道，方便出行和就医；",
    "有村民担心后期管护跟不上，建议明确管护责任人和经费来源；",
    "有代表提出补偿标准应与周边村保持一致，避免相互攀比引发矛盾；",
    "部分村民对占地有顾虑，希望提前丈量并当面确认；",
    "村务监督委员会建议所有支出凭证在年底前集中公开一次；",
    "有代表建议邀请{T}相关部门列席，现场解答政策问题；",
    "外出务工村民通过微信群提交书面意见{K}条，会上逐条宣读；",
    "新经济组织代表表示愿意出资{w}万元支持项目建设；",
    "有代表指出往年类似项目存在拖期问题，要求在合同中写明违约责任；",
    "人大代表建议把群众意见的采纳情况在会后{K}日内公开答复。",
];

const MINUTES: [&str; 8] = [
    "会议由村党组织书记主持，村委会主任介绍了{X}方案的起草过程和主要内容。",
    "会前{K}天，会议通知和方案草案已在村务公开栏和村民微信群公布。",
    "到会人员围绕{X}的实施范围、资金来源和后续管护充分发表意见，发言{n}人次。",
    "{T}驻村干部到会听取意见，并就相关政策作了说明。",
    "会议对群众提出的问题逐一作了回应，不能当场答复的，承诺在{K}个工作日内书面答复。",
    "会议记录经参会代表签字确认后存档，纪要在村务公开栏公示。",
    "主持人宣读了前期征集到的意见建议，共{n}条，已分类整理。",
    "村务监督委员会主任通报了上一阶段资金使用情况：账目清楚，已支出{w}万元。",
];

const NEXT_STEPS: [&str; 6] = [
    "村两委将根据会议意见修改完善方案，提交村民代表会议表决。",
    "会后形成的协商意见报{T}备案。",
    "方案修改稿将在村务公开栏公示{K}天，公示期间无重大异议的按程序实施。",
    "对会上未达成一致的事项，将进一步走访相关农户，另行召开会议协商。",
    "村务监督委员会负责跟踪协商意见的落实情况，并定期向村民报告。",
    "具体实施进度将通过村务公开栏和微信群及时公布。",
];

const DECISIONS: [&str; 6] = [
    "经协商，{P}决定按照修改后的方案实施{X}，采纳了会上提出的主要意见。",
    "项目资金{W}万元，按照“专款专用、分期拨付”的原则管理，每笔支出均经村务监督委员会审核。",
    "对群众提出的意见，采纳了大部分，未采纳的{K}条已逐条说明理由。",
    "决定内容自作出之日起在村务公开栏公示，公示期内未收到异议。",
    "实施过程中如遇重大变更，须重新提交协商。",
    "决定由村务监督委员会全程监督执行，执行情况每季度公开一次。",
];

const NOT_ADOPTED: [&str; 3] = [
    "经表决，方案未获多数同意。村两委将在进一步听取意见后决定是否重新提出。",
    "鉴于资金来源尚未落实、群众意见分歧较大，会议决定暂缓实施，待条件成熟后再议。",
    "根据协商情况，该事项暂不推进，相关意见已逐条答复提议人。",
];

const WITHDRAW_REASONS: [&str; 5] = [
    "由于上级规划调整，{X}所需用地不再具备实施条件，经村两委研究并征得提议人同意，本议题撤回。",
    "提议人在公示期间主动申请撤回，理由是相关问题已通过其他渠道得到解决。",
    "经进一步核实，该事项属于{T}统一实施的项目范围，不再单独协商，本议题撤回。",
    "因资金来源无法落实，村两委决定暂不推进，待条件成熟后重新提出，本议题撤回。",
    "征求意见中多数农户表示反对，提议人同意撤回议题，另行研究替代方案。",
];

const NOTICE_LINES: [&str; 5] = [
    "请参会代表提前阅读方案草案，草案放在村委会便民服务室，也可在村民微信群查阅。",
    "因故不能参会的，可在会前书面提交意见，由村民小组长统一转交。",
    "会议安排群众自由发言环节，每人发言一般不超过{K}分钟。",
    "会议邀请{T}相关部门工作人员到会解答政策问题。",
    "会场设在一楼，行动不便的老人可由网格员协助到会。",
];

const AGENDA: [&str; 6] = [
    "通报{X}前期征求意见的情况；",
    "介绍方案草案及资金测算；",
    "代表自由发言，提出意见和建议；",
    "对方案进行表决（如条件成熟）；",
    "村务监督委员会发表监督意见；",
    "主持人小结，明确下一步工作。",
];

const POLICY: [&str; 6] = [
    "依据《村民委员会组织法》和{T}关于基层协商民主的实施意见，涉及村民切身利益的重大事项须经村民会议或村民代表会议讨论决定。",
    "按照“四议两公开”工作法，本事项经村党组织提议、村两委会议商议、党员大会审议、村民代表会议决议，决议和实施结果公开。",
    "根据农村集体“三资”管理的有关规定，单笔支出超过{K}万元的须经村民代表会议通过。",
    "{T}已将{X}列入{Y}年度民生实事项目，上级补助资金按工程进度分批拨付。",
    "涉及土地的事项须符合国土空间规划和耕地保护的有关要求，不得占用永久基本农田。",
    "补偿、补助标准参照{T}统一文件执行，不低于周边同类项目的水平。",
];

const RISKS: [&str; 6] = [
    "施工期间可能影响部分农户出行，需提前设置临时便道和警示标志",
    "资金到位时间存在不确定性，若上级补助延迟，工期相应顺延并及时公告",
    "个别农户可能对补偿结果不满意，由村调解委员会上门做好解释和调解工作",
    "雨季施工存在安全隐患，施工单位须制定专项安全方案，村里安排专人巡查",
    "后期管护如责任不清，容易出现“重建设、轻管护”的问题，需在协议中写明",
    "方案调整可能引起部分群众误解，须在调整前说明理由并再次征求意见",
];

const SUPERVISION: [&str; 6] = [
    "村务监督委员会全程参与项目的比选、施工和验收，并在验收报告上签署意见",
    "项目资金实行专账管理，每月在村务公开栏公布收支明细",
    "群众可通过村务监督委员会、{T}纪检监察部门或12345热线反映问题",
    "验收时邀请不少于{K}名村民代表参加，验收结果向全体村民公开",
    "对实施中发现的问题，村务监督委员会在{K}个工作日内提出整改建议",
    "每半年召开一次落实情况通报会，向村民代表报告进展和资金使用情况",
];

const HISTORY: [&str; 6] = [
    "{E}年曾就类似问题进行过协商，当时因资金不足未能实施。",
    "近{K}年来，村里陆续完成了道路硬化、路灯安装等多项民生项目，群众满意度较高。",
    "往年类似项目中，有{K}户农户提出过异议，经协商后均得到妥善解决。",
    "{E}年上级补助政策调整后，村集体承担的比例有所下降。",
    "周边{K}个村已实施同类项目，效果总体良好，可供借鉴。",
    "据村务档案记载，该问题最早在{E}年的村民代表会议上被提出。",
];

const FEEDBACK: [&str; 5] = [
    "决定公布后，村两委通过入户走访和微信群收集反馈意见{n}条，均已作答复。",
    "部分群众对实施进度表示关注，村两委承诺每月通报一次。",
    "有村民建议在实施过程中优先使用本村劳动力，村两委表示将予以考虑。",
    "{T}对该决定的执行情况进行了抽查，未发现问题。",
    "村务监督委员会对决定执行情况进行了跟踪，并形成书面监督意见。",
];

/// Optional sections that lengthen a body: (heading, sentences, as a list).
type Extra = (&'static str, &'static [&'static str], bool);

const TOPIC_EXTRAS: [Extra; 6] = [
    ("群众意见摘录", &OPINIONS, true),
    ("有关背景", &BACKGROUND, false),
    ("政策依据", &POLICY, false),
    ("往年情况", &HISTORY, false),
    ("风险与应对", &RISKS, true),
    ("监督安排", &SUPERVISION, true),
];

const SESSION_EXTRAS: [Extra; 5] = [
    ("议题背景", &BACKGROUND, false),
    ("会上提到的风险", &RISKS, true),
    ("政策说明", &POLICY, false),
    ("监督安排", &SUPERVISION, true),
    ("有关情况", &HISTORY, false),
];

const UPCOMING_EXTRAS: [Extra; 2] = [("政策依据", &POLICY, false), ("有关情况", &HISTORY, false)];

const OUTCOME_EXTRAS: [Extra; 6] = [
    ("协商过程", &MINUTES, false),
    ("后续安排", &NEXT_STEPS, false),
    ("监督安排", &SUPERVISION, true),
    ("群众反馈", &FEEDBACK, false),
    ("政策依据", &POLICY, false),
    ("风险与应对", &RISKS, true),
];

const PROGRESS_NOTES: [[&str; 3]; 4] = [
    [
        "施工单位进场，开始前期准备",
        "成立工作小组，制定实施计划",
        "完成招标比选，签订实施合同",
    ],
    [
        "主体工作完成过半",
        "已完成第一批次，第二批次推进中",
        "资金已拨付七成，进度符合计划",
    ],
    [
        "全部完成，通过村民代表验收",
        "完工并投入使用，资金使用情况已公示",
        "已办结，村务监督委员会出具监督意见",
    ],
    [
        "因上级政策调整终止实施",
        "因用地手续无法办理终止实施",
        "经村民代表会议同意终止，剩余资金退回",
    ],
];

const PROPOSERS: [&str; 7] = [
    "村两委",
    "村民联名",
    "村民代表联名",
    "村务监督委员会",
    "村民小组长",
    "驻村第一书记",
    "党员代表",
];

const COST_ITEMS: [&str; 7] = [
    "主体工程",
    "配套设施",
    "设计与监理",
    "征地及青苗补偿",
    "不可预见费",
    "宣传与公示",
    "后期管护",
];

const COST_NOTES: [&str; 5] = [
    "按预算定额测算",
    "按实结算",
    "参照同类项目",
    "待审计确认",
    "含税费",
];

const BUDGET_ITEMS: [&str; 6] = [
    "村级组织运转",
    "公益事业",
    "困难群众救助",
    "基础设施维护",
    "集体经济发展",
    "环境卫生保洁",
];

const NUMERALS: [&str; 13] = [
    "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
];

// ---------------------------------------------------------------------------
// The plan: every structural decision, made sequentially from one stream.

struct Place {
    slug: String,
    name: String,
    kind: &'static str,
    code: String,
    rel: String,
    children: Vec<usize>,
    /// A community 社区 (or a street office, for towns): wording differs.
    urban: bool,
    is_town: bool,
    order: usize,
    population: u32,
    households: u32,
    town: usize,
}

struct Topic {
    place: usize,
    stem: String,
    proposed: Day,
    ty: usize,
    project: usize,
    withdrawn: Option<Day>,
    related: Vec<usize>,
    villages: Vec<usize>,
    villages_by_path: bool,
    notice: Option<(Day, Day)>,
    amount_cents: Option<u64>,
    outcome: Option<usize>,
    closed: bool,
    touching: Vec<usize>,
}

struct Session {
    place: usize,
    stem: String,
    topics: Vec<usize>,
    date: Day,
    form: usize,
}

struct Outcome {
    place: usize,
    stem: String,
    topic: usize,
    sessions: Vec<usize>,
    decided: Day,
    result: usize,
    deadline: Option<Day>,
    amount_cents: Option<u64>,
    progress: Vec<(Day, usize)>,
}

struct Plan {
    seed: u64,
    cal: Calendar,
    places: Vec<Place>,
    topics: Vec<Topic>,
    sessions: Vec<Session>,
    outcomes: Vec<Outcome>,
}

fn make_places(n: usize, rng: &mut Rng) -> Vec<Place> {
    let towns = if n >= 20_000 {
        20
    } else {
        (n / 1000).clamp(2, 20)
    };
    let per_town = (n / (towns * 60)).clamp(2, 15);
    let mut roots: Vec<&str> = TOWN_ROOTS.to_vec();
    rng.shuffle(&mut roots);
    let mut places = Vec::new();
    for (i, root) in roots.iter().take(towns).enumerate() {
        let street = i % 4 == 3;
        let town_idx = places.len();
        let (slug, name, kind, code) = if street {
            (
                format!("jiedao-{:02}", i + 1),
                format!("{root}街道"),
                if i % 8 == 3 { "street" } else { "街道" },
                format!("339900{:03}000", i + 1),
            )
        } else {
            (
                format!("town-{:02}", i + 1),
                format!("{root}镇"),
                if i % 2 == 0 { "town" } else { "镇" },
                format!("339900{:03}000", 100 + i + 1),
            )
        };
        let population = rng.range(18_000, 65_000) as u32;
        places.push(Place {
            slug: slug.clone(),
            name,
            kind,
            code: code.clone(),
            rel: slug.clone(),
            children: Vec::new(),
            urban: street,
            is_town: true,
            order: i + 1,
            population,
            households: population / rng.range(3, 4) as u32,
            town: town_idx,
        });
        let mut vroots: Vec<&str> = VILLAGE_ROOTS.to_vec();
        rng.shuffle(&mut vroots);
        for (j, vroot) in vroots.iter().take(per_town).enumerate() {
            let community = street || j % 7 == 6;
            let (vslug, vname, vkind, vcode) = if community {
                (
                    format!("shequ-{:02}", j + 1),
                    format!("{vroot}社区"),
                    if j % 2 == 0 { "community" } else { "社区" },
                    format!("{}{:03}", &code[..9], j + 1),
                )
            } else {
                (
                    format!("cun-{:02}", j + 1),
                    format!("{vroot}村"),
                    if j % 2 == 0 { "village" } else { "村" },
                    format!("{}{:03}", &code[..9], 200 + j + 1),
                )
            };
            let population = rng.range(800, 6000) as u32;
            let idx = places.len();
            places.push(Place {
                rel: format!("{slug}/{vslug}"),
                slug: vslug,
                name: vname,
                kind: vkind,
                code: vcode,
                children: Vec::new(),
                urban: community,
                is_town: false,
                order: j + 1,
                population,
                households: population / rng.range(3, 4) as u32,
                town: town_idx,
            });
            places[town_idx].children.push(idx);
        }
    }
    places
}

fn cents(yuan: u64) -> u64 {
    yuan * 100
}

fn make_plan(n: usize, seed: u64) -> Plan {
    let cal = Calendar::new();
    let mut rng = Rng::new(seed);
    let places = make_places(n, &mut rng);
    let towns: Vec<usize> = (0..places.len()).filter(|&i| places[i].is_town).collect();
    let villages: Vec<usize> = (0..places.len()).filter(|&i| !places[i].is_town).collect();

    let mut n_topics = ((n as f64) * 0.4).round() as usize;
    if n_topics == 0 && n > 0 {
        n_topics = 1;
    }
    let want_outcomes = ((n as f64) * 0.2).round() as usize;

    // Topics.
    let mut topics: Vec<Topic> = Vec::with_capacity(n_topics);
    let mut by_place: Vec<Vec<usize>> = vec![Vec::new(); places.len()];
    for i in 0..n_topics {
        let place = if rng.chance(0.1) {
            *rng.pick(&towns)
        } else {
            *rng.pick(&villages)
        };
        let ty = if i < TOPIC_TYPES.len() {
            i
        } else {
            rng.below(TOPIC_TYPES.len())
        };
        let proposed = rng.range(cal.start as i64, cal.propose_end as i64) as Day;
        let amount_cents = if [1, 4, 5, 7, 8, 9].contains(&ty) && rng.chance(0.7) {
            let yuan = rng.range(3, 600) as u64 * 10_000 + rng.range(0, 9) as u64 * 1000;
            Some(if rng.chance(0.1) {
                cents(yuan) + 50
            } else {
                cents(yuan)
            })
        } else {
            None
        };
        by_place[place].push(i);
        topics.push(Topic {
            place,
            stem: format!("t-{:06}", i + 1),
            proposed,
            ty,
            project: rng.below(5),
            withdrawn: None,
            related: Vec::new(),
            villages: Vec::new(),
            villages_by_path: false,
            notice: None,
            amount_cents,
            outcome: None,
            closed: false,
            touching: Vec::new(),
        });
    }

    // Which topics end with an outcome, which are withdrawn.
    let mut candidates: Vec<usize> = (0..n_topics)
        .filter(|&t| topics[t].proposed <= cal.close_propose_max)
        .collect();
    rng.shuffle(&mut candidates);
    let n_outcomes = want_outcomes.min(candidates.len());
    let mut outcome_topics: Vec<usize> = candidates[..n_outcomes].to_vec();
    outcome_topics.sort_unstable();
    let rest = &candidates[n_outcomes..];
    let n_withdrawn = (((n_topics as f64) * 0.04).round() as usize)
        .max(usize::from(n_topics >= 5))
        .min(rest.len());
    let mut withdrawn_topics: Vec<usize> = rest[..n_withdrawn].to_vec();
    withdrawn_topics.sort_unstable();
    for &t in outcome_topics.iter().chain(&withdrawn_topics) {
        topics[t].closed = true;
    }

    // Related topics: earlier ones in the same place.
    for t in 0..n_topics {
        if !rng.chance(0.06) {
            continue;
        }
        let want = rng.range(1, 2) as usize;
        let list = &by_place[topics[t].place];
        let mut picked: Vec<usize> = Vec::new();
        for _ in 0..8 {
            let c = *rng.pick(list);
            if topics[c].proposed < topics[t].proposed && !picked.contains(&c) {
                picked.push(c);
                if picked.len() == want {
                    break;
                }
            }
        }
        picked.sort_unstable();
        topics[t].related = picked;
    }

    // Town-level topics on several villages.
    for topic in topics.iter_mut() {
        let p = &places[topic.place];
        if p.is_town && p.children.len() >= 2 && rng.chance(0.5) {
            let mut kids = p.children.clone();
            rng.shuffle(&mut kids);
            let k = rng.range(2, 3.min(kids.len() as i64)) as usize;
            let mut chosen = kids[..k].to_vec();
            chosen.sort_unstable();
            topic.villages = chosen;
            topic.villages_by_path = rng.chance(0.2);
        }
    }

    // Sessions: first one for each topic that ends with an outcome, then
    // some for withdrawn topics, then anywhere.
    let n_sessions = n - n_topics - n_outcomes;
    let mut primaries: Vec<usize> = Vec::with_capacity(n_sessions);
    for &t in &outcome_topics {
        if primaries.len() < n_sessions {
            primaries.push(t);
        }
    }
    for &t in &withdrawn_topics {
        if primaries.len() < n_sessions && rng.chance(0.5) {
            primaries.push(t);
        }
    }
    while primaries.len() < n_sessions {
        primaries.push(rng.below(n_topics));
    }
    rng.shuffle(&mut primaries);

    let mut sessions: Vec<Session> = Vec::with_capacity(n_sessions);
    for (i, &t) in primaries.iter().enumerate() {
        let place = topics[t].place;
        let mut on = vec![t];
        if rng.chance(0.1) && by_place[place].len() >= 2 {
            for _ in 0..4 {
                let c = *rng.pick(&by_place[place]);
                if c == t {
                    continue;
                }
                let lo = topics[t].proposed.max(topics[c].proposed) + 3;
                let hi = if topics[t].closed || topics[c].closed {
                    cal.close_session_max
                } else {
                    cal.last
                };
                if lo <= hi {
                    on.push(c);
                    break;
                }
            }
        }
        let closed = on.iter().any(|&x| topics[x].closed);
        let lo = on
            .iter()
            .map(|&x| topics[x].proposed)
            .max()
            .unwrap_or(cal.start)
            + 3;
        let hi = if closed {
            cal.close_session_max
        } else {
            cal.last
        };
        let date =
            if !closed && topics[t].proposed >= cal.upcoming_from && lo <= hi && rng.chance(0.4) {
                let a = lo.max(cal.as_of);
                a + rng.range(0, (hi - a).min(30) as i64) as Day
            } else {
                lo + rng.range(0, (hi - lo).min(120) as i64) as Day
            };
        let form = if i < SESSION_FORMS.len() {
            i
        } else {
            rng.below(SESSION_FORMS.len())
        };
        for &x in &on {
            topics[x].touching.push(i);
        }
        sessions.push(Session {
            place,
            stem: format!("s-{:06}", i + 1),
            topics: on,
            date,
            form,
        });
    }

    // Notices, withdrawals.
    for topic in topics.iter_mut() {
        let first = topic.touching.iter().map(|&s| sessions[s].date).min();
        if rng.chance(0.6) {
            let room = first.map_or(10, |f| (f - topic.proposed - 1).min(10));
            if room >= 0 {
                let notice = topic.proposed + rng.range(0, room as i64) as Day;
                let until = notice + rng.range(5, 15) as Day;
                topic.notice = Some((notice, until));
            }
        }
    }
    let close_base = |t: &Topic| -> Day {
        t.touching
            .iter()
            .map(|&s| sessions[s].date)
            .max()
            .unwrap_or(t.proposed)
            .max(t.proposed)
    };
    for &t in &withdrawn_topics {
        let base = close_base(&topics[t]);
        let w = (base + rng.range(5, 40) as Day).min(cal.as_of - 1);
        topics[t].withdrawn = Some(w.max(base + 1));
    }

    // Outcomes.
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(n_outcomes);
    for (i, &t) in outcome_topics.iter().enumerate() {
        let base = close_base(&topics[t]);
        let decided = base + rng.range(3, 25) as Day;
        let result = if i < RESULTS.len() {
            i
        } else {
            let u = rng.unit();
            if u < 0.55 {
                0
            } else if u < 0.75 {
                1
            } else if u < 0.87 {
                2
            } else {
                3
            }
        };
        let own: Vec<usize> = if rng.chance(0.85) {
            topics[t]
                .touching
                .iter()
                .copied()
                .filter(|&s| sessions[s].topics[0] == t)
                .collect()
        } else {
            Vec::new()
        };
        let mut deadline = None;
        let mut amount_cents = None;
        let mut progress = Vec::new();
        match result {
            0 | 1 => {
                let mut dl = decided + rng.range(60, 540) as Day;
                let stalled = decided + 60 < cal.as_of && rng.chance(0.12);
                if stalled {
                    // Overdue: the deadline has passed, implementation is not finished.
                    dl = dl
                        .min(cal.as_of - rng.range(1, 60) as Day)
                        .max(decided + 30);
                }
                deadline = Some(dl);
                amount_cents = topics[t].amount_cents.map(|a| {
                    let pct = if result == 0 {
                        rng.range(85, 100)
                    } else {
                        rng.range(50, 85)
                    } as u64;
                    (a / 100 * pct / 100 / 100) * 100 * 100
                });
                let recent = decided + 150 > cal.as_of;
                if !(recent && rng.chance(0.3)) {
                    let d1 = decided + rng.range(5, 30) as Day;
                    // Most finish by the deadline, some late.
                    let d3 = if rng.chance(0.85) {
                        rng.range((d1 + 30) as i64, (dl - 3).max(d1 + 31) as i64) as Day
                    } else {
                        dl + rng.range(10, 200) as Day
                    };
                    let d2 = rng.range((d1 + 10) as i64, (d3 - 10).max(d1 + 11) as i64) as Day;
                    let last_state = if rng.chance(0.9) { DONE } else { STOPPED };
                    let mut steps = vec![(d1, STARTED), (d2, IN_PROGRESS)];
                    if !stalled {
                        steps.push((d3.max(d2 + 1), last_state));
                    } else if rng.chance(0.4) {
                        steps.truncate(1);
                    }
                    progress = steps.into_iter().filter(|&(d, _)| d < cal.as_of).collect();
                }
            }
            _ => {}
        }
        topics[t].outcome = Some(i);
        outcomes.push(Outcome {
            place: topics[t].place,
            stem: format!("o-{:06}", i + 1),
            topic: t,
            sessions: own,
            decided,
            result,
            deadline,
            amount_cents,
            progress,
        });
    }

    Plan {
        seed,
        cal,
        places,
        topics,
        sessions,
        outcomes,
    }
}

// ---------------------------------------------------------------------------
// Rendering.

/// Text slots of one record.
struct Ctx<'a> {
    place: &'a str,
    town: &'a str,
    project: String,
    year: i32,
    day: Day,
    /// The record's own amount, in tenths of 万元, for `{W}`.
    amount: Option<u64>,
}

fn fill(tpl: &str, c: &Ctx, r: &mut Rng) -> String {
    let mut out = String::with_capacity(tpl.len() + 32);
    let mut chars = tpl.chars();
    while let Some(ch) = chars.next() {
        if ch != '{' {
            out.push(ch);
            continue;
        }
        let key = chars.next().unwrap_or(' ');
        let _close = chars.next();
        match key {
            'P' => out.push_str(c.place),
            'T' => out.push_str(c.town),
            'X' => out.push_str(&c.project),
            'Y' => {
                let _ = write!(out, "{}", c.year);
            }
            'E' => {
                let _ = write!(out, "{}", c.year - r.range(3, 9) as i32);
            }
            'W' => {
                let v = c.amount.unwrap_or_else(|| r.range(50, 3000) as u64);
                let _ = write!(out, "{}", wan(v));
            }
            'w' => {
                let _ = write!(out, "{}", wan(r.range(5, 300) as u64));
            }
            'H' => {
                let _ = write!(out, "{}", r.range(30, 1200));
            }
            'N' => {
                let _ = write!(out, "{}", r.range(300, 4800));
            }
            'n' => {
                let _ = write!(out, "{}", r.range(8, 60));
            }
            'M' => {
                let _ = write!(out, "{}", r.range(3, 60) * 50);
            }
            'A' => {
                let _ = write!(out, "{}", r.range(8, 300) * 10);
            }
            'K' => {
                let _ = write!(out, "{}", r.range(2, 9));
            }
            'R' => {
                let _ = write!(out, "{}", r.range(12, 48));
            }
            'D' => {
                let d = c.day - r.range(20, 200) as Day;
                let (_, m, dd) = ymd(d);
                let _ = write!(out, "{m}月{dd}日");
            }
            other => out.push(other),
        }
    }
    out
}

/// Tenths of 万元 → "12.5".
fn wan(tenths: u64) -> String {
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

fn yuan(cents: u64) -> String {
    if cents % 100 == 0 {
        format!("{}", cents / 100)
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// Adjust the wording to the kind of place.
fn localize(text: String, place: &Place) -> String {
    if place.is_town {
        let gov = if place.urban {
            "街道党工委、办事处"
        } else {
            "镇党委、政府"
        };
        text.replace("村两委", gov)
            .replace("村党组织书记", "分管领导")
            .replace("村委会便民服务室", "为民服务中心")
            .replace("村委会主任", "经办科室负责人")
    } else if place.urban {
        text.replace("村两委", "社区两委")
            .replace("村务", "居务")
            .replace("村民", "居民")
            .replace("村委会", "居委会")
            .replace("村党组织", "社区党组织")
            .replace("村集体", "社区")
    } else {
        text
    }
}

/// A YAML scalar, quoted when plain style could be misread.
fn q(s: &str) -> String {
    let risky = s.is_empty()
        || s.starts_with(|c: char| c.is_whitespace() || "-?:,[]{}#&*!|>'\"%@`".contains(c))
        || s.ends_with(char::is_whitespace)
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(|c| "[]{},\"'".contains(c));
    if risky {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        s.to_string()
    }
}

struct Body {
    text: String,
    chars: usize,
}

impl Body {
    fn new() -> Body {
        Body {
            text: String::with_capacity(4096),
            chars: 0,
        }
    }
    fn push(&mut self, s: &str) {
        self.chars += s.chars().count();
        self.text.push_str(s);
    }
    /// A blank line before a new block.
    fn sep(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.push("\n");
        }
    }
    fn heading(&mut self, h: &str) {
        self.sep();
        self.push("## ");
        self.push(h);
        self.push("\n\n");
    }
    fn para(&mut self, sentences: &[String]) {
        self.sep();
        for s in sentences {
            self.push(s);
        }
        self.push("\n");
    }
    /// A bullet list; items end with `；` and the last with `。`.
    fn bullets(&mut self, items: &[String]) {
        self.sep();
        for (i, it) in items.iter().enumerate() {
            self.push("- ");
            self.push(it.trim_end_matches(['；', '。']));
            self.push(if i + 1 == items.len() {
                "。\n"
            } else {
                "；\n"
            });
        }
    }
    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        self.sep();
        let mut line = String::from("|");
        for h in header {
            line.push(' ');
            line.push_str(h);
            line.push_str(" |");
        }
        line.push('\n');
        line.push('|');
        for _ in header {
            line.push_str("---|");
        }
        line.push('\n');
        for row in rows {
            line.push('|');
            for cell in row {
                line.push(' ');
                line.push_str(cell);
                line.push_str(" |");
            }
            line.push('\n');
        }
        self.push(&line);
    }
}

/// Sentences from `pool`, distinct, in pool order after a random start.
fn some(pool: &[&str], k: usize, c: &Ctx, r: &mut Rng) -> Vec<String> {
    let k = k.min(pool.len());
    let mut idx: Vec<usize> = (0..pool.len()).collect();
    r.shuffle(&mut idx);
    idx.truncate(k);
    idx.into_iter().map(|i| fill(pool[i], c, r)).collect()
}

/// Target body length in characters: 200–1,500, more short than long.
fn target_len(r: &mut Rng) -> usize {
    let u = r.unit();
    200 + (u * u * 1250.0) as usize
}

const MAX_BODY: usize = 1500;

/// Lengthen the body with optional sections, in a random order, until it
/// reaches `target` characters, never going over `MAX_BODY`.
fn pad(b: &mut Body, target: usize, extras: &[Extra], c: &Ctx, r: &mut Rng, place: &Place) {
    let target = target.max(200);
    let mut order: Vec<usize> = (0..extras.len()).collect();
    r.shuffle(&mut order);
    for i in order {
        if b.chars >= target {
            break;
        }
        let (heading, pool, as_list) = extras[i];
        let want = r.range(2, 5) as usize;
        let mut picked: Vec<String> = Vec::new();
        let mut len = heading.chars().count() + 6;
        for s in some(pool, want, c, r) {
            let s = localize(s, place);
            let n = s.chars().count() + 4;
            if b.chars + len + n > MAX_BODY {
                break;
            }
            len += n;
            picked.push(s);
            if b.chars + len >= target {
                break;
            }
        }
        if picked.is_empty() {
            continue;
        }
        b.heading(heading);
        if as_list {
            b.bullets(&picked);
        } else {
            b.para(&picked);
        }
    }
}

fn cost_table(b: &mut Body, r: &mut Rng) {
    let k = r.range(3, 5) as usize;
    let mut items: Vec<&str> = COST_ITEMS.to_vec();
    r.shuffle(&mut items);
    let mut rows = Vec::new();
    let mut total = 0u64;
    for it in items.iter().take(k) {
        let v = r.range(5, 900) as u64;
        total += v;
        rows.push(vec![
            it.to_string(),
            wan(v),
            r.pick(&COST_NOTES).to_string(),
        ]);
    }
    rows.push(vec!["合计".into(), wan(total), String::new()]);
    b.table(&["项目", "金额（万元）", "说明"], &rows);
}

fn group_table(b: &mut Body, r: &mut Rng) {
    let k = r.range(3, 6) as usize;
    let mut rows = Vec::new();
    for numeral in NUMERALS.iter().take(k + 1).skip(1) {
        let households = r.range(12, 80);
        let agree = r.range(households / 2, households);
        rows.push(vec![
            format!("{numeral}组"),
            households.to_string(),
            wan(r.range(20, 2000) as u64),
            agree.to_string(),
        ]);
    }
    b.table(&["村民小组", "户数", "涉及面积（亩）", "同意户数"], &rows);
}

fn compare_table(b: &mut Body, r: &mut Rng) {
    let rows = vec![
        vec![
            "实施范围".into(),
            format!("{}个村民小组", r.range(2, 5)),
            "全村".to_string(),
        ],
        vec![
            "投资估算（万元）".into(),
            wan(r.range(100, 900) as u64),
            wan(r.range(900, 3000) as u64),
        ],
        vec![
            "工期".into(),
            format!("{}个月", r.range(2, 6)),
            format!("{}个月", r.range(6, 12)),
        ],
        vec![
            "管护方式".into(),
            "村集体统一管护".into(),
            "受益农户分段管护".into(),
        ],
    ];
    b.table(&["事项", "方案一", "方案二"], &rows);
}

fn budget_table(b: &mut Body, r: &mut Rng) {
    let mut rows = Vec::new();
    let mut last_total = 0;
    let mut this_total = 0;
    for it in BUDGET_ITEMS.iter().take(r.range(4, 6) as usize) {
        let a = r.range(20, 600) as u64;
        let c = (a as i64 + r.range(-40, 80)).max(10) as u64;
        last_total += a;
        this_total += c;
        rows.push(vec![it.to_string(), wan(a), wan(c)]);
    }
    rows.push(vec!["合计".into(), wan(last_total), wan(this_total)]);
    b.table(&["科目", "上年决算（万元）", "本年预算（万元）"], &rows);
}

impl Plan {
    fn town_name(&self, place: usize) -> &str {
        &self.places[self.places[place].town].name
    }

    fn project(&self, t: usize) -> String {
        let topic = &self.topics[t];
        let p = PROJECTS[topic.ty][topic.project];
        if topic.ty == 9 {
            format!("{}{}", year_of(topic.proposed), p)
        } else {
            p.to_string()
        }
    }

    /// A topic's title, from its own stream so that other records can quote it.
    fn topic_title(&self, t: usize) -> String {
        let topic = &self.topics[t];
        let place = &self.places[topic.place].name;
        let project = self.project(t);
        let mut r = self.rng(4, t);
        match r.below(7) {
            0 => format!("{place}{project}"),
            1 => format!("{place}{project}方案"),
            2 => format!("关于{project}的议题"),
            3 => format!("{project}实施方案征求意见"),
            4 => format!("{place}{project}有关事项"),
            5 if topic.ty != 9 => format!("{}年{}", year_of(topic.proposed), project),
            _ => format!(
                "{}（{}组、{}组）",
                project,
                NUMERALS[r.range(1, 4) as usize],
                NUMERALS[r.range(5, 9) as usize]
            ),
        }
    }

    fn rng(&self, tag: u64, i: usize) -> Rng {
        Rng::derive(self.seed, tag, i)
    }

    fn is_upcoming(&self, s: &Session) -> bool {
        s.date >= self.cal.as_of
    }

    fn is_overdue(&self, o: &Outcome) -> bool {
        let final_done = o
            .progress
            .last()
            .is_some_and(|&(_, st)| st == DONE || st == STOPPED);
        self.topics[o.topic].withdrawn.is_none()
            && !final_done
            && o.deadline.is_some_and(|d| d < self.cal.as_of)
    }

    fn topic_md(&self, t: usize) -> String {
        let topic = &self.topics[t];
        let place = &self.places[topic.place];
        let mut r = self.rng(1, t);
        let project = self.project(t);
        let c = Ctx {
            place: &place.name,
            town: self.town_name(topic.place),
            project: project.clone(),
            year: year_of(topic.proposed),
            day: topic.proposed,
            amount: topic.amount_cents.map(|a| a / 100_000),
        };
        let mut fm = String::with_capacity(512);
        fm.push_str("---\n");
        let title = self.topic_title(t);
        let _ = writeln!(fm, "title: {}", q(&title));
        let (slug, name) = TOPIC_TYPES[topic.ty];
        let _ = writeln!(fm, "type: {}", if r.chance(0.5) { slug } else { name });
        let _ = writeln!(fm, "proposed: {}", iso(topic.proposed));
        let proposer = if place.is_town {
            if r.chance(0.5) {
                format!("{}人民政府", c.town)
            } else {
                "人大代表联名".to_string()
            }
        } else if r.chance(0.2) {
            format!("{}户村民联名", r.range(5, 60))
        } else {
            r.pick(&PROPOSERS).to_string()
        };
        let _ = writeln!(fm, "proposer: {}", q(&localize(proposer, place)));
        if !topic.villages.is_empty() {
            let list: Vec<String> = topic
                .villages
                .iter()
                .map(|&v| {
                    if topic.villages_by_path {
                        self.places[v].rel.clone()
                    } else {
                        self.places[v].slug.clone()
                    }
                })
                .collect();
            let _ = writeln!(fm, "villages: [{}]", list.join(", "));
        }
        if let Some((n, u)) = topic.notice {
            let _ = writeln!(fm, "notice: {}", iso(n));
            let _ = writeln!(fm, "notice_until: {}", iso(u));
        }
        if let Some(w) = topic.withdrawn {
            let _ = writeln!(fm, "withdrawn: {}", iso(w));
        }
        if let Some(a) = topic.amount_cents {
            let _ = writeln!(fm, "amount: {}", yuan(a));
        }
        if !topic.related.is_empty() {
            let list: Vec<&str> = topic
                .related
                .iter()
                .map(|&x| self.topics[x].stem.as_str())
                .collect();
            let _ = writeln!(fm, "related: [{}]", list.join(", "));
        }
        let mut tags: Vec<&str> = TAGS[topic.ty].to_vec();
        r.shuffle(&mut tags);
        tags.truncate(r.range(1, 3) as usize);
        let _ = writeln!(fm, "tags: [{}]", tags.join(", "));
        if r.chance(0.03) {
            fm.push_str("x_source: 生成的测试数据\n");
        }
        fm.push_str("---\n\n");

        let target = target_len(&mut r);
        let mut b = Body::new();
        b.heading("背景");
        let mut bg = vec![fill(r.pick_str(&THEME[topic.ty]), &c, &mut r)];
        bg.extend(some(&BACKGROUND, r.range(1, 2) as usize, &c, &mut r));
        if !topic.villages.is_empty() {
            let names: Vec<&str> = topic
                .villages
                .iter()
                .map(|&v| self.places[v].name.as_str())
                .collect();
            bg.push(format!("本议题涉及{}。", names.join("、")));
        }
        if let Some(&rel) = topic.related.first() {
            bg.push(format!(
                "此前{}年曾就相关事项提出议题，本次在前期协商基础上再议。",
                year_of(self.topics[rel].proposed)
            ));
        }
        b.para(&localize_all(bg, place));
        b.heading(if r.chance(0.5) {
            "方案要点"
        } else {
            "主要内容"
        });
        let points = some(&PLAN_POINTS, r.range(3, 5) as usize, &c, &mut r);
        b.bullets(&localize_all(points, place));
        if r.chance(0.85) {
            match topic.ty {
                9 => {
                    b.heading("收支安排");
                    budget_table(&mut b, &mut r);
                }
                6 | 7 => {
                    b.heading("涉及农户情况");
                    group_table(&mut b, &mut r);
                }
                _ if r.chance(0.3) => {
                    b.heading("方案比较");
                    compare_table(&mut b, &mut r);
                }
                _ => {
                    b.heading("费用测算");
                    cost_table(&mut b, &mut r);
                }
            }
        }
        if let Some((n, u)) = topic.notice {
            b.heading("公示");
            b.para(
                &[format!(
                "本议题于{}至{}在村务公开栏和村民微信群公示，公示期间可向村务监督委员会反映意见。",
                cn_date(n),
                cn_date(u)
            )]
                .map(|s| localize(s, place)),
            );
        }
        if topic.withdrawn.is_some() {
            b.heading("撤回说明");
            b.para(&[localize(
                fill(r.pick_str(&WITHDRAW_REASONS), &c, &mut r),
                place,
            )]);
        }
        pad(&mut b, target, &TOPIC_EXTRAS, &c, &mut r, place);
        fm.push_str(&b.text);
        fm
    }

    fn form_word(&self, form: usize, place: &Place, r: &mut Rng) -> &'static str {
        let (slug, name, v, cmty, _) = SESSION_FORMS[form];
        match r.below(3) {
            0 => slug,
            1 => name,
            _ => {
                if place.urban {
                    cmty
                } else {
                    v
                }
            }
        }
    }

    fn session_md(&self, i: usize) -> String {
        let s = &self.sessions[i];
        let place = &self.places[s.place];
        let mut r = self.rng(2, i);
        let t = s.topics[0];
        let project = self.project(t);
        let c = Ctx {
            place: &place.name,
            town: self.town_name(s.place),
            project: project.clone(),
            year: year_of(s.date),
            day: s.date,
            amount: self.topics[t].amount_cents.map(|a| a / 100_000),
        };
        let upcoming = self.is_upcoming(s);
        let form_display = {
            let (_, _, v, cmty, word) = SESSION_FORMS[s.form];
            match (s.form, place.urban) {
                (0 | 1, true) => cmty,
                (0 | 1, false) => v,
                _ => word,
            }
        };
        let subject = if s.topics.len() > 1 {
            let other = self.project(s.topics[1]);
            if other == project {
                format!("{project}相关两项议题")
            } else {
                format!("{project}及{other}")
            }
        } else {
            project.clone()
        };
        let title = if upcoming {
            format!("关于召开{subject}{form_display}的通知")
        } else {
            match r.below(3) {
                0 => format!("{subject}{form_display}"),
                1 => format!("{}{}{}", place.name, subject, form_display),
                _ => format!("{}年{}{}", c.year, subject, form_display),
            }
        };
        let mut fm = String::with_capacity(512);
        fm.push_str("---\n");
        let _ = writeln!(fm, "title: {}", q(&title));
        if s.topics.len() == 1 {
            let _ = writeln!(fm, "topic: {}", self.topics[t].stem);
        } else {
            let list: Vec<&str> = s
                .topics
                .iter()
                .map(|&x| self.topics[x].stem.as_str())
                .collect();
            let _ = writeln!(fm, "topics: [{}]", list.join(", "));
        }
        // Date, with or without a time.
        let hour = *r.pick(&[9u32, 9, 14, 14, 15, 19, 19, 20]);
        let minute = *r.pick(&[0u32, 0, 30]);
        let style = r.below(10);
        let timed = style < 7;
        match style {
            0..=5 => {
                let _ = writeln!(fm, "date: {} {hour:02}:{minute:02}", iso(s.date));
            }
            6 => {
                let _ = writeln!(fm, "date: {}T{hour:02}:{minute:02}+08:00", iso(s.date));
            }
            _ => {
                let _ = writeln!(fm, "date: {}", iso(s.date));
            }
        }
        if timed && r.chance(0.7) {
            if s.date + 1 < self.cal.last && r.chance(0.04) {
                let _ = writeln!(fm, "end: {} 12:00", iso(s.date + 1));
            } else {
                let len = r.range(1, 3) as u32 * 60 + *r.pick(&[0u32, 30]);
                let end = (hour * 60 + minute + len).min(23 * 60 + 30);
                let _ = writeln!(fm, "end: \"{:02}:{:02}\"", end / 60, end % 60);
            }
        }
        let _ = writeln!(fm, "form: {}", self.form_word(s.form, place, &mut r));
        let location = if place.is_town {
            if place.urban {
                format!("{}办事处会议室", place.name)
            } else {
                format!(
                    "{}人民政府{}楼会议室",
                    place.name,
                    NUMERALS[r.range(2, 4) as usize]
                )
            }
        } else {
            let suffix = *r.pick(&[
                "村民委员会会议室",
                "文化礼堂",
                "党群服务中心",
                "村民活动中心",
                "老年活动室",
            ]);
            localize(format!("{}{}", place.name, suffix), place)
        };
        let _ = writeln!(fm, "location: {}", q(&location));

        // Who came, and how they voted.
        let mut tally_lines: Vec<(String, [u32; 3])> = Vec::new();
        if !upcoming {
            let mut attendance = None;
            if r.chance(0.85) || i < GROUPS.len() {
                // Always residents or their representatives, then a few others.
                let mut groups: Vec<usize> = (2..GROUPS.len()).collect();
                r.shuffle(&mut groups);
                groups.truncate(r.range(1, 3) as usize);
                groups.push(r.below(2));
                if r.chance(0.3) {
                    groups.push(if groups.contains(&0) { 1 } else { 0 });
                }
                if i < GROUPS.len() && !groups.contains(&i) {
                    groups.push(i);
                }
                groups.sort_unstable();
                let mut sum = 0u32;
                let mut parts = Vec::new();
                for g in groups {
                    let n = match g {
                        0 => r.range(15, 45),
                        1 => r.range(10, 80),
                        _ => r.range(1, 6),
                    } as u32;
                    sum += n;
                    let (slug, name, v, cmty) = GROUPS[g];
                    let key = match r.below(4) {
                        0 | 1 => slug,
                        2 => name,
                        _ => {
                            if place.urban {
                                cmty
                            } else {
                                v
                            }
                        }
                    };
                    parts.push(format!("{key}: {n}"));
                }
                let _ = writeln!(fm, "participants: {{{}}}", parts.join(", "));
                attendance = Some(sum + r.range(0, 6) as u32);
            } else if r.chance(0.5) {
                attendance = Some(r.range(20, 70) as u32);
            }
            if let Some(a) = attendance {
                let _ = writeln!(fm, "attendance: {a}");
                if r.chance(0.55) {
                    let voting: Vec<usize> = if s.topics.len() > 1 && r.chance(0.3) {
                        vec![s.topics[0]]
                    } else {
                        s.topics.clone()
                    };
                    let per_topic = s.topics.len() > 1;
                    let mut lines = Vec::new();
                    for &vt in &voting {
                        let cast = r.range((a as i64 * 7) / 10, a as i64) as u32;
                        let against = r.range(0, (cast / 5) as i64) as u32;
                        let abstain = r.range(0, ((cast - against) / 8) as i64) as u32;
                        let yes = cast - against - abstain;
                        let only_for = r.chance(0.1);
                        let tally = if only_for {
                            format!("{{for: {yes}}}")
                        } else {
                            format!("{{for: {yes}, against: {against}, abstain: {abstain}}}")
                        };
                        let ab = if only_for {
                            [yes, 0, 0]
                        } else {
                            [yes, against, abstain]
                        };
                        tally_lines.push((self.topic_title(vt), ab));
                        lines.push((self.topics[vt].stem.clone(), tally));
                    }
                    if per_topic {
                        fm.push_str("vote:\n");
                        for (k, v) in lines {
                            let _ = writeln!(fm, "  {k}: {v}");
                        }
                    } else {
                        let _ = writeln!(fm, "vote: {}", lines[0].1);
                    }
                }
            }
        }
        fm.push_str("---\n\n");

        let target = target_len(&mut r);
        let mut b = Body::new();
        if upcoming {
            b.heading("会议通知");
            let mut lines = vec![format!(
                "定于{}{:02}:{:02}在{}召开{}，就{}进行协商，欢迎村民参加。",
                cn_date(s.date),
                hour,
                minute,
                location,
                form_display,
                subject
            )];
            lines.extend(some(&NOTICE_LINES, 2, &c, &mut r));
            b.para(&localize_all(lines, place));
            b.heading("议程");
            let items = some(&AGENDA, 4, &c, &mut r);
            b.bullets(&localize_all(items, place));
            pad(&mut b, target, &UPCOMING_EXTRAS, &c, &mut r, place);
        } else {
            b.heading("会议纪要");
            let m = some(&MINUTES, r.range(2, 4) as usize, &c, &mut r);
            b.para(&localize_all(m, place));
            b.heading("主要意见");
            let o = some(&OPINIONS, r.range(3, 5) as usize, &c, &mut r);
            b.bullets(&localize_all(o, place));
            if !tally_lines.is_empty() {
                b.heading("表决结果");
                let rows: Vec<Vec<String>> = tally_lines
                    .iter()
                    .map(|(name, [y, n, a])| {
                        vec![name.clone(), y.to_string(), n.to_string(), a.to_string()]
                    })
                    .collect();
                b.table(&["议题", "同意", "反对", "弃权"], &rows);
            } else if r.chance(0.8) {
                b.heading("发言情况");
                let rows: Vec<Vec<String>> = [
                    ("村民代表", "资金来源、实施范围"),
                    ("普通村民", "施工影响、补偿标准"),
                    ("党员", "监督方式、公开时限"),
                    ("列席人员", "政策依据"),
                ]
                .iter()
                .take(r.range(2, 4) as usize)
                .map(|(who, what)| {
                    vec![
                        localize(who.to_string(), place),
                        r.range(1, 9).to_string(),
                        what.to_string(),
                    ]
                })
                .collect();
                b.table(&["发言人类别", "人次", "主要关注点"], &rows);
            }
            b.heading("下一步");
            let nx = some(&NEXT_STEPS, r.range(1, 2) as usize, &c, &mut r);
            b.para(&localize_all(nx, place));
            pad(&mut b, target, &SESSION_EXTRAS, &c, &mut r, place);
        }
        fm.push_str(&b.text);
        fm
    }

    fn outcome_md(&self, i: usize) -> String {
        let o = &self.outcomes[i];
        let place = &self.places[o.place];
        let mut r = self.rng(3, i);
        let project = self.project(o.topic);
        let c = Ctx {
            place: &place.name,
            town: self.town_name(o.place),
            project: project.clone(),
            year: year_of(o.decided),
            day: o.decided,
            amount: o
                .amount_cents
                .or(self.topics[o.topic].amount_cents)
                .map(|a| a / 100_000),
        };
        let title = match r.below(4) {
            0 => format!("{project}协商结果"),
            1 => format!("关于{project}的决定"),
            2 => format!("{}{}实施决定", place.name, project),
            _ => format!("{project}方案（修改稿）决定"),
        };
        let mut fm = String::with_capacity(512);
        fm.push_str("---\n");
        let _ = writeln!(fm, "title: {}", q(&title));
        let _ = writeln!(fm, "topic: {}", self.topics[o.topic].stem);
        if !o.sessions.is_empty() {
            let list: Vec<&str> = o
                .sessions
                .iter()
                .map(|&s| self.sessions[s].stem.as_str())
                .collect();
            let _ = writeln!(fm, "sessions: [{}]", list.join(", "));
        }
        let _ = writeln!(fm, "decided: {}", iso(o.decided));
        let (slug, name) = RESULTS[o.result];
        let _ = writeln!(fm, "result: {}", if r.chance(0.5) { slug } else { name });
        let responsible = if place.is_town {
            format!(
                "{}{}",
                place.name,
                r.pick(&[
                    "农业农村办公室",
                    "城建办",
                    "社会事业办公室",
                    "财政所",
                    "综合执法队"
                ])
            )
        } else {
            localize(
                format!(
                    "{}{}",
                    place.name,
                    r.pick(&["村民委员会", "股份经济合作社", "两委", "村务监督委员会"])
                ),
                place,
            )
        };
        let _ = writeln!(fm, "responsible: {}", q(&responsible));
        if let Some(d) = o.deadline {
            let _ = writeln!(fm, "deadline: {}", iso(d));
        }
        if let Some(a) = o.amount_cents {
            let _ = writeln!(fm, "amount: {}", yuan(a));
        }
        if !o.progress.is_empty() {
            fm.push_str("progress:\n");
            for &(d, st) in &o.progress {
                let (slug, name) = STATES[st];
                let _ = writeln!(fm, "  - date: {}", iso(d));
                let _ = writeln!(fm, "    state: {}", if r.chance(0.6) { slug } else { name });
                let _ = writeln!(fm, "    note: {}", q(r.pick_str(&PROGRESS_NOTES[st])));
            }
        }
        fm.push_str("---\n\n");

        let target = target_len(&mut r);
        let mut b = Body::new();
        b.heading("决定");
        if o.result <= 1 {
            let d = some(&DECISIONS, r.range(2, 3) as usize, &c, &mut r);
            b.para(&localize_all(d, place));
            if o.result == 1 {
                b.para(&[localize(
                    "对方案中争议较大的部分暂不实施，待进一步协商后另行决定。".to_string(),
                    place,
                )]);
            }
            b.heading("实施安排");
            let pts = some(&PLAN_POINTS, r.range(3, 4) as usize, &c, &mut r);
            b.bullets(&localize_all(pts, place));
            if r.chance(0.85) {
                b.heading("任务分工");
                let mut rows = Vec::new();
                let mut d = o.decided;
                for task in ["方案细化", "组织实施", "验收与公开"]
                    .iter()
                    .take(r.range(2, 3) as usize)
                {
                    d += r.range(20, 120) as Day;
                    rows.push(vec![task.to_string(), responsible.clone(), cn_date(d)]);
                }
                b.table(&["任务", "责任单位", "完成时限"], &rows);
            }
        } else {
            b.para(&[localize(
                NOT_ADOPTED[if o.result == 2 {
                    0
                } else {
                    r.range(1, 2) as usize
                }]
                .to_string(),
                place,
            )]);
            b.heading("意见答复");
            let op = some(&OPINIONS, r.range(3, 4) as usize, &c, &mut r);
            b.bullets(&localize_all(op, place));
            if r.chance(0.7) {
                b.heading("表决情况");
                let total = r.range(25, 60);
                let yes = r.range(total / 4, total / 2);
                let no = r.range(0, total - yes);
                b.table(
                    &["同意", "反对", "弃权", "到会"],
                    &[vec![
                        yes.to_string(),
                        no.to_string(),
                        (total - yes - no).to_string(),
                        total.to_string(),
                    ]],
                );
            }
        }
        if !o.progress.is_empty() {
            b.heading("进展说明");
            let (d, st) = *o.progress.last().unwrap_or(&(o.decided, STARTED));
            let msg = match st {
                DONE => format!("截至{}，项目已全部完成，资金使用情况已公开。", cn_date(d)),
                STOPPED => format!("{}，经研究决定终止实施，原因已向村民说明。", cn_date(d)),
                _ => format!(
                    "截至{}，项目仍在实施中，村务监督委员会持续跟踪。",
                    cn_date(d)
                ),
            };
            b.para(&[localize(msg, place)]);
        }
        pad(&mut b, target, &OUTCOME_EXTRAS, &c, &mut r, place);
        fm.push_str(&b.text);
        fm
    }
}

fn localize_all(v: Vec<String>, place: &Place) -> Vec<String> {
    v.into_iter().map(|s| localize(s, place)).collect()
}

fn place_yaml(p: &Place) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "name: {}", p.name);
    let _ = writeln!(s, "kind: {}", p.kind);
    let summary = if p.is_town {
        format!(
            "{}位于示范市{}，下辖{}个村（社区），本站为其生成的测试数据。",
            p.name,
            ["东部", "南部", "西部", "北部", "中部"][p.order % 5],
            p.children.len()
        )
    } else if p.urban {
        format!("{}是城镇社区，以居民小区为主。", p.name)
    } else {
        format!("{}是以农业为主的行政村。", p.name)
    };
    let _ = writeln!(s, "summary: {summary}");
    let _ = writeln!(s, "population: {}", p.population);
    let _ = writeln!(s, "households: {}", p.households);
    let _ = writeln!(s, "order: {}", p.order);
    let _ = writeln!(s, "code: \"{}\"", p.code);
    s
}

const SITE_TOML: &str = "# Generated by examples/gen_corpus.rs\n\
title = \"生成的测试站点\"\n\
base_url = \"https://example.org/\"\n\
language = \"zh-CN\"\n\
page_size = 20\n\
privacy = \"error\"\n\
timezone = \"Asia/Shanghai\"\n\
description = \"由 gen_corpus 生成的测试数据，地名和内容均为虚构。\"\n";

const TOP_PLACE: &str = "name: 示范市\n\
kind: city\n\
summary: 由 gen_corpus 生成的虚构县级市，用于测试。\n\
code: \"339900000000\"\n";

#[derive(Clone, Copy)]
enum Job {
    Topic(usize),
    Session(usize),
    Outcome(usize),
}

fn prepare_out(out: &Path, force: bool) -> Result<(), String> {
    if out.exists() {
        if !out.is_dir() {
            return Err(format!("{} 不是文件夹", out.display()));
        }
        let non_empty = std::fs::read_dir(out)
            .map_err(|e| format!("无法读取 {}：{e}", out.display()))?
            .next()
            .is_some();
        if non_empty {
            if !force {
                return Err(format!(
                    "{} 不是空文件夹；加 --force 会先删除其中的 content/ 和 site.toml",
                    out.display()
                ));
            }
            let content = out.join("content");
            if content.exists() {
                std::fs::remove_dir_all(&content)
                    .map_err(|e| format!("无法删除 {}：{e}", content.display()))?;
            }
            let site = out.join("site.toml");
            if site.exists() {
                std::fs::remove_file(&site)
                    .map_err(|e| format!("无法删除 {}：{e}", site.display()))?;
            }
        }
    }
    std::fs::create_dir_all(out.join("content"))
        .map_err(|e| format!("无法创建 {}：{e}", out.display()))
}

fn run(args: &Args) -> Result<(), String> {
    if args.records == 0 {
        return Err("--records 至少为 1".into());
    }
    prepare_out(&args.out, args.force)?;
    let started = Instant::now();
    let plan = make_plan(args.records, args.seed);
    let content = args.out.join("content");

    std::fs::write(args.out.join("site.toml"), SITE_TOML).map_err(|e| e.to_string())?;
    std::fs::write(content.join("_place.yaml"), TOP_PLACE).map_err(|e| e.to_string())?;
    let mut bytes = (SITE_TOML.len() + TOP_PLACE.len()) as u64;

    // Folders, sequentially; records, in parallel.
    let mut needed = vec![[false; 3]; plan.places.len()];
    for t in &plan.topics {
        needed[t.place][0] = true;
    }
    for s in &plan.sessions {
        needed[s.place][1] = true;
    }
    for o in &plan.outcomes {
        needed[o.place][2] = true;
    }
    for (p, need) in plan.places.iter().zip(&needed) {
        let dir = content.join(&p.rel);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let y = place_yaml(p);
        bytes += y.len() as u64;
        std::fs::write(dir.join("_place.yaml"), y).map_err(|e| e.to_string())?;
        for (k, kind) in ["topics", "sessions", "outcomes"].iter().enumerate() {
            if need[k] {
                std::fs::create_dir_all(dir.join(kind)).map_err(|e| e.to_string())?;
            }
        }
    }

    let jobs: Vec<Job> = (0..plan.topics.len())
        .map(Job::Topic)
        .chain((0..plan.sessions.len()).map(Job::Session))
        .chain((0..plan.outcomes.len()).map(Job::Outcome))
        .collect();
    let written: Result<u64, String> = jobs
        .par_iter()
        .map(|&job| {
            let (place, kind, stem, text) = match job {
                Job::Topic(i) => {
                    let t = &plan.topics[i];
                    (t.place, "topics", &t.stem, plan.topic_md(i))
                }
                Job::Session(i) => {
                    let s = &plan.sessions[i];
                    (s.place, "sessions", &s.stem, plan.session_md(i))
                }
                Job::Outcome(i) => {
                    let o = &plan.outcomes[i];
                    (o.place, "outcomes", &o.stem, plan.outcome_md(i))
                }
            };
            let text = lengthen(text, args.body_bytes, stem);
            let path = content
                .join(&plan.places[place].rel)
                .join(kind)
                .join(format!("{stem}.md"));
            std::fs::write(&path, &text).map_err(|e| format!("{}：{e}", path.display()))?;
            Ok(text.len() as u64)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b));
    bytes += written?;

    let towns = plan.places.iter().filter(|p| p.is_town).count();
    let withdrawn = plan.topics.iter().filter(|t| t.withdrawn.is_some()).count();
    let town_level = plan
        .topics
        .iter()
        .filter(|t| plan.places[t.place].is_town)
        .count();
    let upcoming = plan.sessions.iter().filter(|s| plan.is_upcoming(s)).count();
    let multi = plan.sessions.iter().filter(|s| s.topics.len() > 1).count();
    let overdue = plan.outcomes.iter().filter(|o| plan.is_overdue(o)).count();
    println!(
        "已生成 {} 条记录：议题 {}（镇级 {}，撤回 {}），会议 {}（多议题 {}，即将召开 {}），成果 {}（逾期 {}）；地点 {} 个镇（街道）、{} 个村（社区）；{} 字节；用时 {:.2} 秒 → {}",
        jobs.len(),
        plan.topics.len(),
        town_level,
        withdrawn,
        plan.sessions.len(),
        multi,
        upcoming,
        plan.outcomes.len(),
        overdue,
        towns,
        plan.places.len() - towns,
        bytes,
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}

/// `text` with a section of speeches appended until it has `bytes` bytes
/// (unchanged when it has that many already). The sentences are the pools'
/// own without placeholders, chosen from the record's file name.
fn lengthen(mut text: String, bytes: usize, stem: &str) -> String {
    if text.len() >= bytes {
        return text;
    }
    let pool: Vec<&str> = [&OPINIONS[..], &BACKGROUND, &MINUTES, &RISKS, &FEEDBACK]
        .iter()
        .flat_map(|p| p.iter().copied())
        .filter(|s| !s.contains('{'))
        .collect();
    let mut r = Rng::new(
        stem.bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)),
    );
    text.push_str("\n## 发言摘录\n");
    while text.len() < bytes {
        text.push('\n');
        for _ in 0..r.range(3, 6) {
            text.push_str(pool[r.below(pool.len())]);
        }
        text.push('\n');
    }
    text
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
