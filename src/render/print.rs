//! A record's printable notice (公示) for the village notice board: one A4
//! sheet with what the record decides or announces, the address of its page
//! and a QR code of that address, and the record's id with a short hash of
//! its file, so that a printed sheet can be matched with what is online.

use super::context::PrintPage;
use super::Renderer;
use crate::route::Route;

impl Renderer<'_> {
    /// The values of record `i`'s print page.
    pub(super) fn print(&self, i: usize) -> PrintPage {
        let g = self.graph;
        let r = &g.site.records[i];
        let place = &g.site.places[r.place];
        let page = Route::Record(place, r).path();
        let url = self.urls.absolute(&page);
        PrintPage {
            title: r.title.clone(),
            summary: r.summary.clone(),
            kind: r.kind,
            kind_label: self.sub("kind", r.kind.dir()),
            place: self.place_name_path(r.place),
            id: r.id.clone(),
            // The first 8 hex digits of the hash of the record's file.
            hash: format!("{:016x}", r.source_hash)[..8].to_string(),
            as_of: self.date_value(g.as_of),
            qr: qr_svg(&url),
            record_url: url,
            record_link: self.urls.link(&page),
            card: self.card(i),
            kind_values: self.kind_values(i),
        }
    }
}

/// `text` as a QR code: error correction level M (15%), the smallest
/// version that holds it, the mask with the lowest penalty; `None` if it is
/// too long for a QR code.
fn qr_code(text: &str) -> Option<fast_qr::QRCode> {
    fast_qr::QRBuilder::new(text)
        .ecl(fast_qr::ECL::M)
        .build()
        .ok()
}

/// Light modules around the code, as a scanner needs.
const QUIET: usize = 4;

/// `text` as a QR code in inline SVG (no script, no image file), with the
/// quiet zone a scanner needs; `None` if it is too long for a QR code.
///
/// Each row of dark modules is one stroke per run (`h` with relative moves
/// between runs), in module units scaled by the `viewBox`: about a fifth of
/// the bytes of a square per module, on every printable notice of a site.
fn qr_svg(text: &str) -> Option<String> {
    use std::fmt::Write;
    let code = qr_code(text)?;
    let width = code.size;
    let side = width + 2 * QUIET;
    // At least 160 px, a whole number of pixels per module.
    let px = side * 160usize.div_ceil(side);
    let mut d = String::with_capacity(width * width / 2);
    for y in 0..width {
        let row = &code[y];
        let mut pen: Option<usize> = None;
        let mut x = 0;
        while x < width {
            if !row[x].value() {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x].value() {
                x += 1;
            }
            let _ = match pen {
                None => write!(d, "M{} {}.5h{}", start + QUIET, y + QUIET, x - start),
                Some(end) => write!(d, "m{} 0h{}", start - end, x - start),
            };
            pen = Some(x);
        }
    }
    Some(format!(
        "<svg aria-hidden=\"true\" focusable=\"false\" xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{px}\" height=\"{px}\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path stroke=\"#000\" d=\"{d}\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_qr_code_is_inline_svg() {
        let svg = super::qr_svg("https://example.org/xieshang/alpha/topics/2016-bridge/").unwrap();
        assert!(svg.starts_with("<svg aria-hidden=\"true\""), "{svg}");
        assert!(svg.ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("<?xml") && !svg.contains("version="), "{svg}");
        // The same text gives the same code; another text another one.
        assert_eq!(
            svg,
            super::qr_svg("https://example.org/xieshang/alpha/topics/2016-bridge/").unwrap()
        );
        assert_ne!(
            svg,
            super::qr_svg("https://example.org/xieshang/alpha/topics/2016-brigde/").unwrap()
        );
    }

    /// The strokes, read back module by module, are the code's dark
    /// modules, and those read as a phone would give the address back.
    #[test]
    fn the_strokes_draw_exactly_the_dark_modules() {
        for text in [
            "https://example.org/xieshang/alpha/topics/2016-bridge/",
            "https://example.org/town-01/cun-03/topics/t-001693/",
            "http://192.168.1.10/shezhu/nanshan/sessions/2024-cunmin-daibiao-huiyi-tongzhi/",
        ] {
            let code = super::qr_code(text).unwrap();
            let w = code.size;
            let svg = super::qr_svg(text).unwrap();
            let d = svg
                .split(" d=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let mut drawn = vec![false; w * w];
            let (mut x, mut y) = (0i64, 0i64);
            let mut rest = d;
            while !rest.is_empty() {
                let op = rest.as_bytes()[0];
                let end = rest[1..]
                    .find(['M', 'm', 'h'])
                    .map_or(rest.len(), |i| i + 1);
                let args: Vec<f64> = rest[1..end]
                    .split(' ')
                    .map(|a| a.parse().unwrap())
                    .collect();
                match op {
                    b'M' => (x, y) = (args[0] as i64, args[1].floor() as i64),
                    b'm' => (x, y) = (x + args[0] as i64, y + args[1] as i64),
                    b'h' => {
                        for c in x..x + args[0] as i64 {
                            drawn[(y as usize - 4) * w + c as usize - 4] = true;
                        }
                        x += args[0] as i64;
                    }
                    _ => panic!("unexpected {op}"),
                }
                rest = &rest[end..];
            }
            let modules: Vec<bool> = (0..w)
                .flat_map(|y| code[y].iter().map(|m| m.value()).collect::<Vec<_>>())
                .collect();
            assert_eq!(drawn, modules, "{text}");
            assert!(svg.len() < 3000, "{} bytes", svg.len());
            // The drawn modules, 4 px each with the quiet zone, read back.
            let side = (w + 8) * 4;
            let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |px, py| {
                let (mx, my) = (px / 4, py / 4);
                let dark = (4..w + 4).contains(&mx)
                    && (4..w + 4).contains(&my)
                    && drawn[(my - 4) * w + mx - 4];
                if dark {
                    0
                } else {
                    255
                }
            });
            let grids = img.detect_grids();
            assert_eq!(grids.len(), 1, "{text}");
            let (_, content) = grids[0].decode().unwrap();
            assert_eq!(content, text);
        }
    }
}
