//! Markdown pieces of BENCHMARKS.md: tables, and the template the measured blocks go into.

use std::collections::BTreeMap;

/// A Markdown table. The first column is left-aligned; the others are right-aligned
/// (numbers) unless the table is made with [`Table::text`].
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    numbers: bool,
}

impl Table {
    /// A table of numbers with these column titles.
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            numbers: true,
        }
    }

    /// A table of words: every column left-aligned.
    pub fn text(header: &[&str]) -> Table {
        Table {
            numbers: false,
            ..Table::new(header)
        }
    }

    /// Adds a row; missing cells are left empty and extra ones dropped.
    pub fn row(&mut self, cells: Vec<String>) {
        let mut cells = cells;
        cells.resize(self.header.len(), String::new());
        self.rows.push(cells);
    }

    /// The table as Markdown, ending with a newline.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("| {} |\n", self.header.join(" | ")));
        let align: Vec<&str> = (0..self.header.len())
            .map(|i| {
                if i == 0 || !self.numbers {
                    "---"
                } else {
                    "---:"
                }
            })
            .collect();
        out.push_str(&format!("|{}|\n", align.join("|")));
        for r in &self.rows {
            let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }
}

/// Replaces every `{{name}}` in `template` with its value. Every placeholder must have a
/// value and every value a placeholder, so that a renamed block can never vanish from the
/// report unnoticed.
pub fn fill(template: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut used = std::collections::BTreeSet::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| "a `{{` without its `}}` in the template".to_string())?;
        let name = after[..close].trim();
        let value = values
            .get(name)
            .ok_or_else(|| format!("the template asks for `{name}`, which nothing measured"))?;
        out.push_str(value);
        used.insert(name.to_string());
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    if let Some(unused) = values.keys().find(|k| !used.contains(*k)) {
        return Err(format!("the template has no place for `{unused}`"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_render_as_markdown() {
        let mut t = Table::new(&["what", "time"]);
        t.row(vec!["a|b".into(), "1 ms".into()]);
        t.row(vec!["short".into()]);
        assert_eq!(
            t.render(),
            "| what | time |\n|---|---:|\n| a\\|b | 1 ms |\n| short |  |\n"
        );
        assert_eq!(Table::text(&["a", "b"]).render(), "| a | b |\n|---|---|\n");
    }

    #[test]
    fn templates_are_filled_exactly() {
        let mut v = BTreeMap::new();
        v.insert("a".to_string(), "1".to_string());
        v.insert("b".to_string(), "2".to_string());
        assert_eq!(
            fill("x {{a}} y {{ b }} {{a}}", &v).as_deref(),
            Ok("x 1 y 2 1")
        );
        assert!(fill("{{a}}", &v).expect_err("b unused").contains("`b`"));
        assert!(
            fill("{{a}} {{b}} {{c}}", &v)
                .expect_err("c")
                .contains("`c`")
        );
        assert!(fill("{{a", &v).is_err());
    }
}
