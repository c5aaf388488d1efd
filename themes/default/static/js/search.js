// yishi search: queries the static index written by src/search (Rust).
// No libraries, no other hosts: every file comes from the folder named by
// the data-index attribute of the search form. src/search/reader.rs mirrors
// this algorithm (tokenization, list choice, ranking, phrase check); keep
// the two in step.
(function () {
  'use strict';

  var VERSION = 1;
  var PAGE = 10;
  var LIST_BUDGET = 160 * 1024; // external body lists beyond the rarest
  var TITLE_BUDGET = 48 * 1024; // title lists, for ranking
  var MAX_ROUNDS = 4; // fragment fetch rounds per page
  var WORD_MAX = 8;
  var FILTERS = [['place', 'p'], ['type', 't'], ['year', 'y'], ['status', 's']];

  var form = document.getElementById('search-form');
  var input = document.getElementById('search-q');
  var statusEl = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  if (!form || !input || !statusEl || !list || !form.getAttribute('data-index')) return;
  var base = new URL(form.getAttribute('data-index'), document.baseURI);

  // ---------------------------------------------------------------- text

  // Same per-character normalization as tokenize.rs: full-width ASCII to
  // ASCII, ideographic space to space, ASCII lowercase. Length-preserving.
  function norm(s) {
    var out = '';
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
      else if (c === 0x3000) c = 0x20;
      if (c >= 65 && c <= 90) c += 32;
      out += String.fromCharCode(c);
    }
    return out;
  }

  function isHan(c) {
    return (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
      (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x2fa1f) ||
      (c >= 0x30000 && c <= 0x3134f);
  }

  function isWord(c) {
    return (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
  }

  // The distinct terms of a normalized phrase: {ns, text, kind} with kind
  // 'b' bigram, 'w' word, 'c' single character (titles only).
  function terms(phrase, title) {
    var out = [];
    var seen = {};
    function add(kind, text) {
      if (seen[text]) return;
      seen[text] = true;
      out.push({ ns: title ? 1 : 0, text: text, kind: kind });
    }
    var word = '';
    var prev = null;
    for (var ch of phrase) {
      var c = ch.codePointAt(0);
      if (isWord(c)) {
        if (word.length < WORD_MAX) word += ch;
        prev = null;
        continue;
      }
      if (word) { add('w', word); word = ''; }
      if (isHan(c)) {
        if (prev !== null) add('b', prev + ch);
        if (title) add('c', ch);
        prev = ch;
      } else {
        prev = null;
      }
    }
    if (word) add('w', word);
    return out;
  }

  // tokenize::term_hash: FNV-1a over code points, then a finalizer.
  function termHash(text) {
    var h = 0x811c9dc5 | 0;
    for (var ch of text) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h >>> 0;
  }

  // ---------------------------------------------------------------- files

  var cache = new Map();
  function get(path, json) {
    var key = (json ? 'j:' : 'b:') + path;
    if (!cache.has(key)) {
      var p = fetch(new URL(path, base)).then(function (r) {
        if (!r.ok) throw new Error(path + ': ' + r.status);
        return json ? r.json() : r.arrayBuffer().then(function (b) { return new Uint8Array(b); });
      });
      p.catch(function () { cache.delete(key); });
      cache.set(key, p);
    }
    return cache.get(key);
  }

  function varint(b, r) {
    var v = 0;
    var mul = 1;
    for (;;) {
      if (r.pos >= b.length) throw new Error('index: truncated');
      var x = b[r.pos++];
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 128;
    }
  }

  function parseShard(b, shard) {
    var r = { pos: 0 };
    var n = varint(b, r);
    var map = new Map();
    for (var i = 0; i < n; i++) {
      var ns = varint(b, r);
      var nc = varint(b, r);
      var text = '';
      for (var j = 0; j < nc; j++) text += String.fromCodePoint(varint(b, r));
      var df = varint(b, r);
      var loc = varint(b, r);
      var len = varint(b, r);
      var inline = null;
      if (loc === 0) { inline = b.subarray(r.pos, r.pos + len); r.pos += len; }
      map.set(ns + ':' + text, { df: df, inline: inline, len: len, shard: shard, index: i });
    }
    return map;
  }

  // A doc list: {ids: Uint32Array} or {bits: Uint8Array} (format.rs).
  function toList(b) {
    if (b[0] === 1) return { bits: b.subarray(1) };
    var ids = [];
    var r = { pos: 1 };
    var prev = -1;
    while (r.pos < b.length) { prev = prev + 1 + varint(b, r); ids.push(prev); }
    return { ids: Uint32Array.from(ids) };
  }

  function has(l, d) {
    if (l.bits) { var x = l.bits[d >> 3]; return x !== undefined && (x & (1 << (d & 7))) !== 0; }
    var lo = 0;
    var hi = l.ids.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (l.ids[mid] < d) lo = mid + 1; else hi = mid;
    }
    return lo < l.ids.length && l.ids[lo] === d;
  }

  function ids(l) {
    if (l.ids) return l.ids;
    var out = [];
    for (var i = 0; i < l.bits.length; i++) {
      var x = l.bits[i];
      for (var bit = 0; x && bit < 8; bit++) if (x & (1 << bit)) out.push(i * 8 + bit);
    }
    return out;
  }

  function intersect(lists) {
    lists.sort(function (a, b) {
      var ka = a.bits ? 1 : 0;
      var kb = b.bits ? 1 : 0;
      if (ka !== kb) return ka - kb;
      return (a.ids ? a.ids.length : a.bits.length * 8) - (b.ids ? b.ids.length : b.bits.length * 8);
    });
    var first = ids(lists[0]);
    var rest = lists.slice(1);
    var out = [];
    for (var i = 0; i < first.length; i++) {
      var d = first[i];
      var ok = true;
      for (var j = 0; j < rest.length && ok; j++) ok = has(rest[j], d);
      if (ok) out.push(d);
    }
    return out;
  }

  function listOf(e) {
    if (e.inline) return Promise.resolve(toList(e.inline));
    return get('p/' + e.shard + '/' + e.index + '.bin').then(toList);
  }

  // Lists rarest first within `budget` external bytes (the rarest always
  // when firstFree); resolves to {lists, all}.
  function choose(entries, budget, firstFree) {
    var order = entries.slice().sort(function (a, b) {
      return a.df - b.df || a.shard - b.shard || a.index - b.index;
    });
    var spent = 0;
    var picked = [];
    var all = true;
    order.forEach(function (e, i) {
      var cost = e.inline ? 0 : e.len;
      if ((i === 0 && firstFree) || spent + cost <= budget) { spent += cost; picked.push(listOf(e)); }
      else all = false;
    });
    return Promise.all(picked).then(function (lists) { return { lists: lists, all: all }; });
  }

  // ---------------------------------------------------------------- query

  function uniqueSorted(a) {
    return Array.from(new Set(a)).sort();
  }

  // Resolves to a result set: {order, total, exact, phrases, titleOnly, next, ...}.
  function run(meta, q, filters) {
    var phrases = uniqueSorted(norm(q).split(/\s+/).filter(Boolean));
    var body = [];
    var title = [];
    var chars = [];
    var single = true;
    phrases.forEach(function (p) {
      var b = terms(p, false);
      single = single && b.length === 1 && b[0].text === p;
      body = body.concat(b);
      terms(p, true).forEach(function (t) { (t.kind === 'c' ? chars : title).push(t); });
    });
    var titleOnly = phrases.length > 0 && body.length === 0;
    if (titleOnly) {
      single = phrases.every(function (p) { return Array.from(p).length === 1; });
      body = chars;
      title = [];
    }
    var result = { order: [], total: 0, exact: true, phrases: phrases, titleOnly: titleOnly, next: 0, dropped: 0, shown: 0 };
    if (phrases.length > 0 && body.length === 0) return Promise.resolve(result);
    if (phrases.length === 0 && filters.length === 0) return Promise.resolve(result);
    var keyOf = function (t) { return t.ns + ':' + t.text; };
    var bodyKeys = uniqueSorted(body.map(keyOf));
    var titleKeys = uniqueSorted(title.map(keyOf));
    var all = bodyKeys.concat(titleKeys);
    var shards = uniqueSorted(all.map(function (k) {
      return termHash(k.slice(2)) % meta.shards;
    }).map(String)).map(Number);
    return Promise.all(shards.map(function (s) {
      return get('s/' + s + '.bin').then(function (b) { return parseShard(b, s); });
    })).then(function (maps) {
      var dict = new Map();
      maps.forEach(function (m) { m.forEach(function (v, k) { dict.set(k, v); }); });
      var entries = bodyKeys.map(function (k) { return dict.get(k); });
      if (entries.some(function (e) { return !e; })) return result;
      for (var f = 0; f < filters.length; f++) {
        var counts = meta.counts[filters[f].facet];
        if (!counts || !(counts[filters[f].value] > 0)) return result;
      }
      var bodyP = entries.length ? choose(entries, LIST_BUDGET, true) : Promise.resolve({ lists: [], all: true });
      var filterP = Promise.all(filters.map(function (f) {
        return get('f/' + f.code + f.value + '.bin').then(toList);
      }));
      return Promise.all([bodyP, filterP]).then(function (got) {
        var lists = got[0].lists.concat(got[1]);
        var candidates = intersect(lists);
        result.exact = phrases.length === 0 || (single && got[0].all);
        var titleEntries = titleKeys.map(function (k) { return dict.get(k); });
        var titleP;
        if (titleOnly) titleP = Promise.resolve(candidates);
        else if (titleKeys.length && candidates.length && titleEntries.every(Boolean)) {
          titleP = choose(titleEntries, TITLE_BUDGET, false).then(function (c) {
            if (!c.lists.length) return [];
            return intersect(c.lists.concat([{ ids: candidates }]));
          });
        } else titleP = Promise.resolve([]);
        return titleP.then(function (inTitle) {
          var set = new Set(inTitle);
          result.order = Array.from(inTitle).concat(Array.from(candidates).filter(function (d) { return !set.has(d); }));
          result.total = result.order.length;
          return result;
        });
      });
    });
  }

  function frag(meta, n) {
    return get('d/' + (n >> 10) + '/' + (n & 1023) + '.json', true);
  }

  // Fetch and check candidates until `PAGE` more are shown; resolves to
  // the new hits [{rec, doc}].
  function page(meta, res) {
    var hits = [];
    var round = 0;
    function step() {
      if (hits.length >= PAGE || res.next >= res.order.length || round >= MAX_ROUNDS) return Promise.resolve(hits);
      round++;
      var batch = res.order.slice(res.next, res.next + PAGE - hits.length);
      res.next += batch.length;
      return Promise.all(batch.map(function (d) {
        return frag(meta, Math.floor(d / meta.frag)).then(function (f) { return f[d % meta.frag]; });
      })).then(function (recs) {
        recs.forEach(function (rec, i) {
          var nt = norm(rec.t);
          var nx = norm(rec.x);
          var inT = res.phrases.every(function (p) { return nt.indexOf(p) >= 0; });
          var found = res.titleOnly ? inT : res.phrases.every(function (p) {
            return nt.indexOf(p) >= 0 || nx.indexOf(p) >= 0;
          });
          if (found || (rec.c === 1 && !res.titleOnly)) hits.push({ rec: rec, doc: batch[i] });
          else res.dropped++;
        });
        return step();
      });
    }
    return step().then(function (h) {
      res.total = res.order.length - res.dropped;
      if (res.next >= res.order.length) res.exact = true;
      res.shown += h.length;
      return h;
    });
  }

  // ---------------------------------------------------------------- DOM

  // Append `text` to `parent`, each occurrence of a phrase in <mark>.
  // Matching runs on the normalized text (same length as the original).
  function highlight(parent, text, phrases) {
    var ntext = norm(text);
    var last = 0;
    var i = 0;
    while (i < ntext.length) {
      var at = -1;
      var len = 0;
      phrases.forEach(function (p) {
        var j = ntext.indexOf(p, i);
        if (j >= 0 && (at < 0 || j < at || (j === at && p.length > len))) { at = j; len = p.length; }
      });
      if (at < 0) break;
      if (at > last) parent.appendChild(document.createTextNode(text.slice(last, at)));
      var m = document.createElement('mark');
      m.textContent = text.slice(at, at + len);
      parent.appendChild(m);
      last = i = at + len;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // A window of the text around the first match (or its start).
  function excerpt(parent, text, phrases) {
    text = text.replace(/\s+/g, ' ').trim();
    var ntext = norm(text);
    var first = -1;
    phrases.forEach(function (p) {
      var j = ntext.indexOf(p);
      if (j >= 0 && (first < 0 || j < first)) first = j;
    });
    var start = first < 0 ? 0 : Math.max(0, first - 30);
    var end = Math.min(text.length, start + 120);
    // Do not split a surrogate pair.
    if (start > 0 && /[\udc00-\udfff]/.test(text.charAt(start))) start++;
    if (end < text.length && /[\udc00-\udfff]/.test(text.charAt(end))) end++;
    if (start > 0) parent.appendChild(document.createTextNode('…'));
    highlight(parent, text.slice(start, end), phrases);
    if (end < text.length) parent.appendChild(document.createTextNode('…'));
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Dates as the pages show them: 2017年4月1日 on a Chinese page (zh-CN,
  // zh-TW, zh-HK: the page's lang), ISO 2017-04-01 otherwise.
  var HAN_DATES = /^zh(-|$)/i.test(document.documentElement.lang || '');
  function dateText(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (!m || !HAN_DATES) return iso;
    return Number(m[1]) + '年' + Number(m[2]) + '月' + Number(m[3]) + '日';
  }

  function render(hit, phrases) {
    var r = hit.rec;
    var li = el('li', 'card search-hit');
    var meta = el('p', 'card-meta');
    meta.appendChild(el('span', 'kind', r.k));
    var d = String(r.d);
    var time = el('time', '', dateText(d));
    if (/^\d{4}-\d{2}-\d{2}$/.test(d)) time.setAttribute('datetime', d);
    meta.appendChild(time);
    meta.appendChild(el('span', 'place', r.p));
    if (r.s) meta.appendChild(el('span', 'status', r.s));
    li.appendChild(meta);
    var h = el('h3', 'card-title');
    var a = el('a');
    var href = String(r.u);
    // Only site-relative links (the index is ours, but be strict): not
    // `//host` nor `/\host`, which browsers read as another host.
    a.href = /^\/(?![\/\\])/.test(href) ? href : '#';
    highlight(a, r.t, phrases);
    h.appendChild(a);
    li.appendChild(h);
    var p = el('p', 'card-summary');
    excerpt(p, r.x, phrases);
    li.appendChild(p);
    return li;
  }

  // ---------------------------------------------------------------- page

  var metaP = null;
  function meta() {
    if (!metaP) {
      metaP = get('meta.json', true).then(function (m) {
        if (m.version !== VERSION) throw new Error('index version ' + m.version);
        return m;
      });
      metaP.catch(function () { metaP = null; });
    }
    return metaP;
  }

  var generation = 0;
  var current = null;

  function say(text) {
    statusEl.textContent = text;
  }

  // Status messages: Simplified by default, Traditional on a zh-TW or zh-HK
  // page (Taiwan or Hong Kong usage, as in the theme's i18n files).
  var MESSAGES = {
    'zh-CN': {
      about: '约 ', found: '找到 {n} 条结果', titleOnly: '（单个字只在标题中搜索）',
      shown: '，已显示 {n} 条', none: '没有找到包含“{q}”的记录。', noMatch: '没有符合条件的记录。',
      empty: '请输入要搜索的词语，或选择筛选条件。', busy: '正在搜索…',
      failed: '搜索暂时无法使用（索引文件读取失败）。请稍后再试，或按地点、议题类型、年份浏览。'
    },
    'zh-TW': {
      about: '約 ', found: '找到 {n} 筆結果', titleOnly: '（單個字只在標題中搜尋）',
      shown: '，已顯示 {n} 筆', none: '沒有找到包含「{q}」的紀錄。', noMatch: '沒有符合條件的紀錄。',
      empty: '請輸入要搜尋的詞語，或選擇篩選條件。', busy: '正在搜尋…',
      failed: '搜尋暫時無法使用（索引檔案讀取失敗）。請稍後再試，或依地點、議題類型、年份瀏覽。'
    },
    'zh-HK': {
      about: '約 ', found: '找到 {n} 條結果', titleOnly: '（單個字只在標題中搜尋）',
      shown: '，已顯示 {n} 條', none: '沒有找到包含「{q}」的記錄。', noMatch: '沒有符合條件的記錄。',
      empty: '請輸入要搜尋的詞語，或選擇篩選條件。', busy: '正在搜尋…',
      failed: '搜尋暫時無法使用（索引檔案讀取失敗）。請稍後再試，或按地點、議題類型、年份瀏覽。'
    }
  };
  var MSG = MESSAGES[document.documentElement.lang] || MESSAGES['zh-CN'];
  function msg(key, value) {
    return MSG[key].replace(/\{[nq]\}/, function () { return String(value); });
  }

  function countText(res) {
    if (res.total === 0) return null;
    var t = msg('found', (res.exact ? '' : MSG.about) + res.total);
    if (res.titleOnly) t += MSG.titleOnly;
    if (res.total > res.shown) t += msg('shown', res.shown);
    return t;
  }

  function showMore(focusFirst) {
    var res = current;
    var gen = generation;
    more.hidden = true;
    return meta().then(function (m) { return page(m, res); }).then(function (hits) {
      if (gen !== generation) return;
      var firstLink = null;
      hits.forEach(function (hit) {
        var li = render(hit, res.phrases);
        list.appendChild(li);
        if (!firstLink) firstLink = li.querySelector('a');
      });
      var text = countText(res);
      if (!text) {
        say(res.phrases.length ? msg('none', res.phrases.join(' ')) : MSG.noMatch);
      } else say(text);
      more.hidden = !(res.next < res.order.length);
      if (focusFirst && firstLink) firstLink.focus();
    });
  }

  function filtersOf() {
    var out = [];
    FILTERS.forEach(function (f) {
      var s = form.elements[f[0]];
      if (s && s.value !== '' && /^\d+$/.test(s.value)) {
        out.push({ name: f[0], code: f[1], value: Number(s.value), facet: { p: 'places', t: 'topic_types', y: 'years', s: 'statuses' }[f[1]] });
      }
    });
    return out;
  }

  function search() {
    var gen = ++generation;
    var q = input.value.trim();
    var filters = filtersOf();
    list.textContent = '';
    more.hidden = true;
    current = null;
    if (!q && !filters.length) { say(MSG.empty); return Promise.resolve(); }
    say(MSG.busy);
    return meta().then(function (m) { return run(m, q, filters); }).then(function (res) {
      if (gen !== generation) return;
      current = res;
      return showMore(false);
    }).catch(function () {
      if (gen !== generation) return;
      say(MSG.failed);
    });
  }

  function syncUrl() {
    var params = new URLSearchParams();
    var q = input.value.trim();
    if (q) params.set('q', q);
    filtersOf().forEach(function (f) { params.set(f.name, String(f.value)); });
    var s = params.toString();
    history.replaceState(null, '', location.pathname + (s ? '?' + s : '') + location.hash);
  }

  function fromUrl() {
    var params = new URLSearchParams(location.search);
    input.value = params.get('q') || '';
    FILTERS.forEach(function (f) {
      var s = form.elements[f[0]];
      var v = params.get(f[0]);
      if (s && v !== null && Array.from(s.options).some(function (o) { return o.value === v; })) s.value = v;
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    syncUrl();
    search();
  });
  more.addEventListener('click', function () {
    if (current) showMore(true);
  });
  fromUrl();
  if (input.value.trim() || filtersOf().length) search();
})();
