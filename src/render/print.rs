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

/// `text` as a QR code in inline SVG (no script, no image file), with the
/// quiet zone a scanner needs; `None` if it is too long for a QR code.
fn qr_svg(text: &str) -> Option<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    // Inline in HTML: no XML declaration, no SVG 1.1 `version`.
    let start = svg.find("<svg")?;
    Some(svg[start..].replacen(" version=\"1.1\"", "", 1).replacen(
        "<svg",
        "<svg aria-hidden=\"true\" focusable=\"false\"",
        1,
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
}
