// yishi search: queries the static index written by src/search (Rust).
// No libraries, no other hosts: every file comes from the folder named by
// the data-index attribute of the search form. src/search/reader.rs mirrors
// this algorithm (tokenization, list choice, ranking, phrase check); keep
// the two in step.
(function () {
  'use strict';

  var VERSION = 2;
  var PAGE = 10;
  var LIST_BUDGET = 256 * 1024; // external body lists beyond the rarest
  var TITLE_BUDGET = 64 * 1024; // title lists, for ranking
  var MAX_ROUNDS = 3; // rounds checking phrase candidates per page
  var MAX_UNITS = 30;
  var WORD_MAX = 8;
  var FILTERS = [['place', 'p'], ['type', 't'], ['year', 'y'], ['status', 's']];

  var form = document.getElementById('search-form');
  var input = document.getElementById('search-q');
  var statusEl = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  if (!form || !input || !statusEl || !list || !form.getAttribute('data-index')) return;
  var base = new URL(form.getAttribute('data-index'), document.baseURI);

  // The theme's strings for this page's language (data-strings).
  var S = {};
  try { S = JSON.parse(form.getAttribute('data-strings') || '{}'); } catch (e) { S = {}; }
  function msg(key, n, q) {
    return String(S[key] || '').replace('{n}', String(n)).replace('{q}', q || '');
  }

  // ---------------------------------------------------------------- text

  // Traditional and variant characters to Simplified, for the characters
  // of this site (meta.json `fold`, pairs from/to; tokenize.rs, hanzi.rs).
  var FOLD = new Map();
  function setFold(pairs) {
    var cs = Array.from(pairs || '');
    for (var i = 0; i + 1 < cs.length; i += 2) FOLD.set(cs[i], cs[i + 1]);
  }

  // tokenize::normalize per character: full-width ASCII to ASCII, the
  // ideographic space to a space, ASCII lowercase, Han characters folded.
  // Keeps the UTF-16 length, so positions match the original text.
  function norm(s) {
    var out = '';
    for (var ch of s) {
      var c = ch.codePointAt(0);
      if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
      else if (c === 0x3000) c = 0x20;
      if (c < 128) {
        if (c >= 65 && c <= 90) c += 32;
        out += String.fromCharCode(c);
      } else out += FOLD.get(ch) || ch;
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

  function uniqueSorted(a) {
    return Array.from(new Set(a)).sort();
  }

  // reader::analyze: phrases, units (Han characters of runs of two or more,
  // Latin words) and terms ({text, covers: bit per unit, mark: the text to
  // highlight}); single Han characters alone make a title search.
  function analyze(q) {
    var a = { phrases: uniqueSorted(norm(q).split(/\s+/).filter(Boolean)), terms: [], units: 0, titleOnly: false, chained: true };
    var singles = [];
    function add(text, covers, mark) {
      for (var i = 0; i < a.terms.length; i++) {
        if (a.terms[i].text === text) { a.terms[i].covers |= covers; return; }
      }
      a.terms.push({ text: text, covers: covers, mark: mark });
    }
    outer:
    for (var p = 0; p < a.phrases.length; p++) {
      var cs = Array.from(a.phrases[p]);
      var runs = 0;
      var i = 0;
      while (i < cs.length) {
        var c = cs[i].codePointAt(0);
        var word = isWord(c);
        if (!word && !isHan(c)) { i++; continue; }
        if (++runs > 1) a.chained = false;
        var j = i + 1;
        while (j < cs.length && (word ? isWord(cs[j].codePointAt(0)) : isHan(cs[j].codePointAt(0)))) j++;
        if (word) {
          if (a.units >= MAX_UNITS) break outer;
          add(cs.slice(i, Math.min(j, i + WORD_MAX)).join(''), 1 << a.units, cs.slice(i, j).join(''));
          a.units++;
        } else if (j - i === 1) {
          singles.push(cs[i]);
        } else {
          for (var k = i; k < j - 1; k++) {
            if (a.units + 2 > MAX_UNITS) {
              if (k > i) a.units++;
              break outer;
            }
            var bg = cs[k] + cs[k + 1];
            add(bg, 3 << a.units, bg);
            a.units++;
          }
          a.units++;
        }
        i = j;
      }
    }
    if (!a.terms.length && singles.length) {
      a.titleOnly = true;
      singles.forEach(function (ch) {
        if (a.units < MAX_UNITS && !a.terms.some(function (t) { return t.text === ch; })) {
          a.terms.push({ text: ch, covers: 1 << a.units, mark: ch });
          a.units++;
        }
      });
    }
    return a;
  }

  function coverage(terms, mask) {
    var covered = 0;
    for (var j = 0; j < terms.length; j++) if (mask & (1 << j)) covered |= terms[j].covers;
    var n = 0;
    while (covered) { covered &= covered - 1; n++; }
    return n;
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
    // At most one id per byte: one allocation, no growing array.
    var ids = new Uint32Array(b.length);
    var n = 0;
    var r = { pos: 1 };
    var prev = -1;
    while (r.pos < b.length) { prev = prev + 1 + varint(b, r); ids[n++] = prev; }
    return { ids: ids.subarray(0, n) };
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
  // when firstFree); resolves to {lists: [{j, list}], all}.
  function choose(entries, budget, firstFree) {
    var order = entries.slice().sort(function (a, b) {
      return a.e.df - b.e.df || a.e.shard - b.e.shard || a.e.index - b.e.index;
    });
    var spent = 0;
    var picked = [];
    var all = true;
    order.forEach(function (x, i) {
      var cost = x.e.inline ? 0 : x.e.len;
      if ((i === 0 && firstFree) || spent + cost <= budget) {
        spent += cost;
        picked.push(listOf(x.e).then(function (l) { return { j: x.j, list: l }; }));
      } else all = false;
    });
    return Promise.all(picked).then(function (lists) { return { lists: lists, all: all }; });
  }

  // ---------------------------------------------------------------- query

  function candKey(a, b) {
    return (b.tcov - a.tcov) || (b.cov - a.cov) || (a.doc - b.doc);
  }

  // reader::start: read the lists and group the results; resolves to a
  // session {a, groups: [phrase candidates, all words, some words], next,
  // total, exact, filterOnly}.
  function run(meta, q, filters) {
    var a = analyze(q);
    var s = { a: a, groups: [[], [], []], next: [0, 0, 0], total: 0, exact: true, filterOnly: false, shown: 0 };
    var nothing = (a.phrases.length && !a.terms.length) || (!a.phrases.length && !filters.length) ||
      filters.some(function (f) {
        var counts = meta.counts[f.facet];
        return !counts || !(counts[f.value] > 0);
      });
    if (nothing) return Promise.resolve(s);
    var shards = uniqueSorted(a.terms.map(function (t) {
      return String(termHash(t.text) % meta.shards);
    })).map(Number);
    return Promise.all(shards.map(function (sh) {
      return get('s/' + sh + '.bin').then(function (b) { return parseShard(b, sh); });
    })).then(function (maps) {
      var dict = new Map();
      maps.forEach(function (m) { m.forEach(function (v, k) { dict.set(k, v); }); });
      function entries(ns) {
        var out = [];
        a.terms.forEach(function (t, j) {
          var e = dict.get(ns + ':' + t.text);
          if (e) out.push({ j: j, e: e });
        });
        return out;
      }
      var body = entries(a.titleOnly ? 1 : 0);
      var title = a.titleOnly ? [] : entries(1);
      var bodyP = body.length ? choose(body, LIST_BUDGET, true) : Promise.resolve({ lists: [], all: true });
      var filterP = Promise.all(filters.map(function (f) {
        return get('f/' + f.code + f.value + '.bin').then(toList);
      }));
      // Title lists at the same time (one round trip less).
      var titleP = title.length ? choose(title, TITLE_BUDGET, false) : Promise.resolve({ lists: [] });
      return Promise.all([bodyP, filterP, titleP]).then(function (got) {
        var bodyLists = got[0].lists;
        var filterLists = got[1];
        var tl = got[2];
        s.exact = got[0].all;
        if (!a.terms.length) {
          s.filterOnly = true;
          s.groups[0] = intersect(filterLists).map(function (d) { return { doc: d, tcov: 0, cov: 0, mask: 0 }; });
          s.total = s.groups[0].length;
          return s;
        }
        if (!bodyLists.length) return s;
        // Each record's terms as bit masks, by walking each list once.
        function masks(lists) {
          var out = new Uint32Array(meta.docs);
          lists.forEach(function (x) {
            var bit = 1 << x.j;
            var l = x.list;
            if (l.bits) {
              for (var i = 0; i < l.bits.length; i++) {
                var v = l.bits[i];
                for (var k = 0; v && k < 8; k++, v >>= 1) {
                  var dd = i * 8 + k;
                  if ((v & 1) && dd < out.length) out[dd] |= bit;
                }
              }
            } else {
              for (var n = 0; n < l.ids.length; n++) if (l.ids[n] < out.length) out[l.ids[n]] |= bit;
            }
          });
          return out;
        }
        var mask = masks(bodyLists);
        var tmask = masks(tl.lists);
        var fetched = 0;
        bodyLists.forEach(function (x) { fetched |= 1 << x.j; });
        // A term in no record rules the phrase out for every record.
        var phrasePossible = body.length === a.terms.length;
        // Coverage by term mask, computed once per distinct mask.
        var covOf = new Map();
        function cover(m) {
          var c = covOf.get(m);
          if (c === undefined) { c = coverage(a.terms, m); covOf.set(m, c); }
          return c;
        }
        // Each group in buckets of equal rank, filled in doc order: the
        // order of sorting by candKey, without sorting.
        var buckets = [new Map(), new Map(), new Map()];
        for (var d = 0; d < mask.length; d++) {
          var m = mask[d];
          if (m === 0) continue;
          var cov = cover(m);
          var g;
          if (phrasePossible && m === fetched && cov === a.units) g = 0;
          else if (cov === a.units) g = 1;
          else if (2 * cov > a.units) g = 2;
          else continue;
          var ok = true;
          for (var f = 0; f < filterLists.length && ok; f++) ok = has(filterLists[f], d);
          if (!ok) continue;
          var tcov = a.titleOnly ? cov : cover(tmask[d]);
          var key = tcov * 64 + cov;
          var bucket = buckets[g].get(key);
          if (!bucket) buckets[g].set(key, bucket = []);
          bucket.push({ doc: d, tcov: tcov, cov: cov, mask: m });
        }
        s.groups = buckets.map(function (bs) {
          var keys = Array.from(bs.keys()).sort(function (x, y) { return y - x; });
          var out = [];
          keys.forEach(function (k) { out = out.concat(bs.get(k)); });
          return out;
        });
        s.total = s.groups[0].length + s.groups[1].length + s.groups[2].length;
        return s;
      });
    });
  }

  function frag(meta, n) {
    return get('d/' + (n >> 10) + '/' + (n & 1023) + '.json', true);
  }

  function remaining(s) {
    for (var g = 0; g < 3; g++) if (s.next[g] < s.groups[g].length) return g;
    return -1;
  }

  // reader::more: up to PAGE more hits [{rec, cand, matched}]; phrase
  // candidates are checked on their text, and those without the phrase
  // join the all-words group at their rank. Each hit is also given to
  // onHit as soon as it is known, in rank order: the first results show
  // while later records still load.
  function page(meta, s, onHit) {
    var hits = [];
    var rounds = 0;
    var maxRounds = s.a.chained ? MAX_ROUNDS : 1;
    // The next phrase candidate whose record is not requested yet.
    var ahead = s.next[0];
    function take(rec, c, g) {
      if (!rec) return;
      var matched = s.filterOnly ? 'filter' : g === 1 ? 'all' : g === 2 ? 'partial' : 'exact';
      if (matched === 'exact') {
        var nt = norm(String(rec.t));
        var nx = norm(String(rec.x));
        var found = s.a.phrases.every(function (p) {
          return nt.indexOf(p) >= 0 || (!s.a.titleOnly && nx.indexOf(p) >= 0);
        });
        if (!found) {
          var g1 = s.groups[1];
          var lo = s.next[1];
          var hi = g1.length;
          while (lo < hi) {
            var mid = (lo + hi) >> 1;
            if (candKey(g1[mid], c) < 0) lo = mid + 1; else hi = mid;
          }
          g1.splice(lo, 0, c);
          // Its place on the page goes to the next candidate, checked in
          // the next round: its record is requested now.
          ahead = Math.max(ahead, s.next[0]);
          if (rounds < maxRounds && ahead < s.groups[0].length) {
            frag(meta, Math.floor(s.groups[0][ahead++].doc / meta.frag)).catch(function () {});
          }
          return;
        }
      }
      var hit = { rec: rec, cand: c, matched: matched };
      hits.push(hit);
      if (onHit) onHit(hit);
    }
    function step() {
      var g = remaining(s);
      if (hits.length >= PAGE || g < 0) return Promise.resolve(hits);
      if (g === 0 && !s.filterOnly) {
        if (rounds >= maxRounds) {
          // Enough checking: the rest have all the words (as the index
          // proves) and are shown as such, at their rank.
          var rest = s.groups[0].splice(s.next[0]);
          var tail = s.groups[1].splice(s.next[1]).concat(rest).sort(candKey);
          s.groups[1] = s.groups[1].concat(tail);
          return step();
        }
        rounds++;
      }
      var end = Math.min(s.next[g] + PAGE - hits.length, s.groups[g].length);
      var batch = s.groups[g].slice(s.next[g], end);
      s.next[g] = end;
      // What the next groups will show if this batch does not fill the
      // page: fetched now, in the same round trip.
      var want = PAGE - hits.length - batch.length;
      for (var h = g + 1; h < 3 && want > 0; h++) {
        s.groups[h].slice(s.next[h], s.next[h] + want).forEach(function (c) {
          frag(meta, Math.floor(c.doc / meta.frag)).catch(function () {});
          want--;
        });
      }
      // All of the batch is requested at once and taken in rank order as
      // it arrives.
      var done = Promise.resolve();
      batch.forEach(function (c) {
        var recP = frag(meta, Math.floor(c.doc / meta.frag)).then(function (f) { return f[c.doc % meta.frag]; });
        done = done.then(function () { return recP; }).then(function (rec) { take(rec, c, g); });
      });
      return done.then(step);
    }
    return step().then(function (h) {
      s.shown += h.length;
      return h;
    });
  }

  // ---------------------------------------------------------------- DOM

  // The texts to mark for a hit: every query term it contains (the whole
  // word for Latin words); overlapping matches merge, so a phrase is one
  // mark.
  function marksOf(s, hit) {
    var out = [];
    s.a.terms.forEach(function (t, j) {
      if (hit.matched === 'exact' || (hit.cand.mask & (1 << j))) out.push(t.mark);
    });
    return out;
  }

  // [start, end) ranges of the marks in `ntext`, sorted and merged.
  function ranges(ntext, marks) {
    var rs = [];
    marks.forEach(function (m) {
      if (!m) return;
      for (var at = ntext.indexOf(m); at >= 0; at = ntext.indexOf(m, at + 1)) rs.push([at, at + m.length]);
    });
    rs.sort(function (x, y) { return x[0] - y[0] || x[1] - y[1]; });
    var out = [];
    rs.forEach(function (r) {
      var last = out[out.length - 1];
      if (last && r[0] < last[1]) last[1] = Math.max(last[1], r[1]);
      else out.push([r[0], r[1]]);
    });
    return out;
  }

  // Append `text` to `parent`, each mark in <mark> (matched on the
  // normalized text, which has the original's length).
  function highlight(parent, text, marks) {
    var last = 0;
    ranges(norm(text), marks).forEach(function (r) {
      if (r[0] > last) parent.appendChild(document.createTextNode(text.slice(last, r[0])));
      var m = document.createElement('mark');
      m.textContent = text.slice(r[0], r[1]);
      parent.appendChild(m);
      last = r[1];
    });
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // A window of the text around the first phrase (an exact match), else
  // the first mark, else its start.
  function excerpt(parent, text, marks, phrases) {
    text = text.replace(/\s+/g, ' ').trim();
    var ntext = norm(text);
    var first = -1;
    phrases.forEach(function (p) {
      var j = ntext.indexOf(p);
      if (j >= 0 && (first < 0 || j < first)) first = j;
    });
    if (first < 0) {
      var rs = ranges(ntext, marks);
      first = rs.length ? rs[0][0] : -1;
    }
    var start = first < 0 ? 0 : Math.max(0, first - 30);
    var end = Math.min(text.length, start + 120);
    // Do not split a surrogate pair.
    if (start > 0 && /[\udc00-\udfff]/.test(text.charAt(start))) start++;
    if (end < text.length && /[\udc00-\udfff]/.test(text.charAt(end))) end++;
    if (start > 0) parent.appendChild(document.createTextNode('…'));
    highlight(parent, text.slice(start, end), marks);
    if (end < text.length) parent.appendChild(document.createTextNode('…'));
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Dates as the site's pages show them (render/format.rs date_text):
  // S.date_pattern with {y}, {m} (a name of S.months) and {d}.
  var MONTHS = String(S.months || '').split(' ');
  function dateText(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (!m || !S.date_pattern || MONTHS.length !== 12) return iso;
    return S.date_pattern.replace('{y}', String(Number(m[1]))).replace('{m}', MONTHS[Number(m[2]) - 1])
      .replace('{d}', String(Number(m[3])));
  }

  var MATCH_KEYS = { exact: 'match_exact', all: 'match_all', partial: 'match_partial' };

  function render(s, hit) {
    var r = hit.rec;
    var marks = marksOf(s, hit);
    var li = el('li', 'card search-hit');
    var meta = el('p', 'card-meta');
    if (MATCH_KEYS[hit.matched]) meta.appendChild(el('span', 'match match-' + hit.matched, S[MATCH_KEYS[hit.matched]] || ''));
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
    highlight(a, String(r.t), marks);
    h.appendChild(a);
    li.appendChild(h);
    var p = el('p', 'card-summary');
    excerpt(p, String(r.x), marks, hit.matched === 'exact' ? s.a.phrases : []);
    li.appendChild(p);
    return li;
  }

  // ---------------------------------------------------------------- page

  var metaP = null;
  function meta() {
    if (!metaP) {
      metaP = get('meta.json', true).then(function (m) {
        if (m.version !== VERSION) throw new Error('index version ' + m.version);
        setFold(m.fold);
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

  function countText(s) {
    if (s.total === 0) return null;
    var t = msg(s.exact ? 'found' : 'found_min', s.total);
    if (s.a.titleOnly) t += S.title_only || '';
    if (s.total > s.shown) t += msg('shown', s.shown);
    return t;
  }

  function showMore(focusFirst) {
    var s = current;
    var gen = generation;
    more.hidden = true;
    var firstLink = null;
    function show(hit) {
      if (gen !== generation) return;
      var li = render(s, hit);
      list.appendChild(li);
      if (!firstLink) firstLink = li.querySelector('a');
    }
    return meta().then(function (m) { return page(m, s, show); }).then(function () {
      if (gen !== generation) return;
      var text = countText(s);
      if (!text) say(s.a.phrases.length ? msg('none', 0, s.a.phrases.join(' ')) : msg('no_match', 0));
      else say(text);
      more.hidden = remaining(s) < 0;
      if (focusFirst && firstLink) firstLink.focus();
    });
  }

  function filtersOf() {
    var out = [];
    FILTERS.forEach(function (f) {
      var el = form.elements[f[0]];
      if (el && el.value !== '' && /^\d+$/.test(el.value)) {
        out.push({ name: f[0], code: f[1], value: Number(el.value), facet: { p: 'places', t: 'topic_types', y: 'years', s: 'statuses' }[f[1]] });
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
    if (!q && !filters.length) { say(msg('empty', 0)); return Promise.resolve(); }
    say(msg('busy', 0));
    return meta().then(function (m) { return run(m, q, filters); }).then(function (s) {
      if (gen !== generation) return;
      current = s;
      return showMore(false);
    }).catch(function () {
      if (gen !== generation) return;
      say(msg('failed', 0));
    });
  }

  function syncUrl() {
    var params = new URLSearchParams();
    var q = input.value.trim();
    if (q) params.set('q', q);
    filtersOf().forEach(function (f) { params.set(f.name, String(f.value)); });
    var qs = params.toString();
    history.replaceState(null, '', location.pathname + (qs ? '?' + qs : '') + location.hash);
  }

  function fromUrl() {
    var params = new URLSearchParams(location.search);
    input.value = params.get('q') || '';
    FILTERS.forEach(function (f) {
      var el = form.elements[f[0]];
      var v = params.get(f[0]);
      if (el && v !== null && Array.from(el.options).some(function (o) { return o.value === v; })) el.value = v;
    });
  }

  // While the resident types (an input method commits a word at a time),
  // the dictionary shards of the words typed so far are fetched, so that
  // the first of a search's round trips is usually over by Enter. They are
  // few (meta.shards in all) and kept for the visit.
  function prefetch() {
    var q = input.value.trim();
    if (!q) return;
    meta().then(function (m) {
      analyze(q).terms.forEach(function (t) {
        get('s/' + (termHash(t.text) % m.shards) + '.bin').catch(function () {});
      });
    }).catch(function () {});
  }
  input.addEventListener('input', function (e) {
    if (!e.isComposing) prefetch();
  });
  input.addEventListener('compositionend', prefetch);

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
  // meta.json (and the folding map) once per visit, while the resident types.
  else meta().catch(function () {});
})();
