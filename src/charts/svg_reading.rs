//! Reading the SVG the charts draw, for their tests.

use plotters::style::RGBColor;

/// A colour as plotters writes it in SVG attributes.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// The text of every `<text>` element, trimmed.
pub fn texts(out: &str) -> Vec<&str> {
    out.split("<text")
        .skip(1)
        .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</text>")?].trim()))
        .collect()
}

/// The vertex counts of the polylines stroked in `colour`.
pub fn polyline_lengths(out: &str, colour: RGBColor) -> Vec<usize> {
    let stroke = format!("stroke=\"{}\"", hex(colour));
    out.split("<polyline")
        .skip(1)
        .filter(|tag| tag[..tag.find("/>").unwrap_or(tag.len())].contains(&stroke))
        .map(|tag| {
            let points = &tag[tag.find("points=\"").expect("points") + 8..];
            points[..points.find('"').expect("end")]
                .split_whitespace()
                .count()
        })
        .collect()
}
