//! A reader for the ISO-14977-like notation of `grammar/dialscript.ebnf`.
//!
//! It reads exactly the subset the grammar file uses: `name = alternatives ;`, `|`, `{ }`,
//! `[ ]`, `( )`, double-quoted terminals, `(* comments *)` and the upper-case token classes.
//! Anything else is an error with a line number, so that a typo in the grammar file fails
//! the test instead of being read as something it does not say.

use std::fmt;

/// The lexical token classes the grammar may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    Ident,
    Integer,
    Str,
    SysVar,
}

impl Class {
    fn from_name(name: &str) -> Option<Class> {
        match name {
            "IDENT" => Some(Class::Ident),
            "INTEGER" => Some(Class::Integer),
            "STRING" => Some(Class::Str),
            "SYSVAR" => Some(Class::SysVar),
            _ => None,
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Ident => "IDENT",
            Class::Integer => "INTEGER",
            Class::Str => "STRING",
            Class::SysVar => "SYSVAR",
        })
    }
}

/// The right-hand side of a production.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A quoted terminal, without its quotes.
    Term(String),
    /// A token class such as `IDENT`.
    Class(Class),
    /// A reference to another production.
    Ref(String),
    /// Items one after another.
    Seq(Vec<Expr>),
    /// Alternatives separated by `|`.
    Alt(Vec<Expr>),
    /// `[ ... ]`
    Opt(Box<Expr>),
    /// `{ ... }`
    Rep(Box<Expr>),
}

impl Expr {
    /// Calls `f` on this expression and every expression inside it.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Seq(items) | Expr::Alt(items) => items.iter().for_each(|e| e.walk(f)),
            Expr::Opt(inner) | Expr::Rep(inner) => inner.walk(f),
            Expr::Term(_) | Expr::Class(_) | Expr::Ref(_) => {}
        }
    }
}

/// One `name = body ;`.
#[derive(Clone, Debug)]
pub struct Production {
    pub name: String,
    pub body: Expr,
    /// 1-based line of the name, for messages.
    pub line: usize,
}

/// The productions of a grammar file, in file order.
#[derive(Clone, Debug)]
pub struct Grammar {
    pub productions: Vec<Production>,
}

impl Grammar {
    /// The production called `name`.
    pub fn get(&self, name: &str) -> Option<&Production> {
        self.productions.iter().find(|p| p.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Name(String),
    Quoted(String),
    Punct(char),
}

/// Splits the file into names, quoted terminals and punctuation, dropping comments.
fn tokenize(text: &str) -> Result<Vec<(Tok, usize)>, String> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '(' if text[at + 1..].starts_with('*') => {
                // ISO 14977 comments do not nest in the subset we read; the first `*)` ends one.
                let start_line = line;
                chars.next();
                let mut closed = false;
                while let Some((i, c)) = chars.next() {
                    if c == '\n' {
                        line += 1;
                    } else if c == '*' && text[i + 1..].starts_with(')') {
                        chars.next();
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err(format!("line {start_line}: comment is not closed"));
                }
            }
            '"' | '\'' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some((_, q)) if q == c => break,
                        Some((_, '\n')) | None => {
                            return Err(format!("line {line}: terminal is not closed on its line"));
                        }
                        Some((_, ch)) => s.push(ch),
                    }
                }
                if s.is_empty() {
                    return Err(format!("line {line}: empty terminal"));
                }
                out.push((Tok::Quoted(s), line));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut s = String::from(c);
                while let Some(&(_, n)) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        s.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push((Tok::Name(s), line));
            }
            '=' | ';' | '|' | '{' | '}' | '[' | ']' | '(' | ')' => out.push((Tok::Punct(c), line)),
            other => return Err(format!("line {line}: unexpected character {other:?}")),
        }
    }
    Ok(out)
}

struct Reader {
    toks: Vec<(Tok, usize)>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    fn line(&self) -> usize {
        self.toks
            .get(self.at)
            .or(self.toks.last())
            .map_or(1, |(_, l)| *l)
    }

    fn eat(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!(
                "line {}: expected `{c}`, found {:?}",
                self.line(),
                self.peek()
            ))
        }
    }

    /// `alt = seq { "|" seq }`
    fn alt(&mut self) -> Result<Expr, String> {
        let mut alts = vec![self.seq()?];
        while self.peek() == Some(&Tok::Punct('|')) {
            self.at += 1;
            alts.push(self.seq()?);
        }
        Ok(if alts.len() == 1 {
            alts.remove(0)
        } else {
            Expr::Alt(alts)
        })
    }

    /// `seq = item { item }`
    fn seq(&mut self) -> Result<Expr, String> {
        let mut items = Vec::new();
        while let Some(item) = self.item()? {
            items.push(item);
        }
        match items.len() {
            0 => Err(format!("line {}: empty alternative", self.line())),
            1 => Ok(items.remove(0)),
            _ => Ok(Expr::Seq(items)),
        }
    }

    /// One name, terminal or bracketed group; `None` at a token that ends a sequence.
    fn item(&mut self) -> Result<Option<Expr>, String> {
        let line = self.line();
        let Some(tok) = self.peek().cloned() else {
            return Ok(None);
        };
        let item = match tok {
            Tok::Quoted(s) => {
                self.at += 1;
                Expr::Term(s)
            }
            Tok::Name(n) => {
                // A name followed by `=` begins the next production: the `;` is missing.
                if self.toks.get(self.at + 1).map(|(t, _)| t) == Some(&Tok::Punct('=')) {
                    return Err(format!(
                        "line {line}: `;` missing before the production `{n}`"
                    ));
                }
                self.at += 1;
                if n.chars().any(|c| c.is_ascii_uppercase()) {
                    match Class::from_name(&n) {
                        Some(c) => Expr::Class(c),
                        None => return Err(format!("line {line}: unknown token class `{n}`")),
                    }
                } else {
                    Expr::Ref(n)
                }
            }
            Tok::Punct(open @ ('{' | '[' | '(')) => {
                self.at += 1;
                let inner = self.alt()?;
                let close = match open {
                    '{' => '}',
                    '[' => ']',
                    _ => ')',
                };
                self.eat(close)?;
                match open {
                    '{' => Expr::Rep(Box::new(inner)),
                    '[' => Expr::Opt(Box::new(inner)),
                    _ => inner,
                }
            }
            Tok::Punct(_) => return Ok(None),
        };
        Ok(Some(item))
    }
}

/// Reads a grammar file.
pub fn read(text: &str) -> Result<Grammar, String> {
    let mut r = Reader {
        toks: tokenize(text)?,
        at: 0,
    };
    let mut productions: Vec<Production> = Vec::new();
    while let Some(tok) = r.peek().cloned() {
        let line = r.line();
        let Tok::Name(name) = tok else {
            return Err(format!(
                "line {line}: expected a production name, found {tok:?}"
            ));
        };
        if Class::from_name(&name).is_some() || name.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(format!(
                "line {line}: production names are lower-case; `{name}` is not"
            ));
        }
        if productions.iter().any(|p| p.name == name) {
            return Err(format!("line {line}: `{name}` is defined twice"));
        }
        r.at += 1;
        r.eat('=')?;
        let body = r.alt()?;
        r.eat(';')?;
        productions.push(Production { name, body, line });
    }
    Ok(Grammar { productions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_notation() {
        let g = read("(* c *) a = \"x\" { b | [ IDENT ] } ( \"y\" | \"z\" ) ;\nb = \"w\" ;")
            .expect("valid grammar");
        assert_eq!(g.productions.len(), 2);
        assert_eq!(g.productions[1].line, 2);
        let Expr::Seq(items) = &g.productions[0].body else {
            panic!("a sequence")
        };
        assert_eq!(items[0], Expr::Term("x".into()));
        assert!(matches!(&items[1], Expr::Rep(inner) if matches!(**inner, Expr::Alt(_))));
        assert!(matches!(&items[2], Expr::Alt(alts) if alts.len() == 2));
    }

    #[test]
    fn rejects_mistakes() {
        assert!(read("a = \"x\"\nb = \"y\" ;").is_err(), "missing `;`");
        assert!(read("a = NAME ;").is_err(), "unknown class");
        assert!(read("a = ;").is_err(), "empty body");
        assert!(read("a = \"x ;").is_err(), "unclosed terminal");
        assert!(read("(* a = \"x\" ;").is_err(), "unclosed comment");
        assert!(read("a = \"x\" ; a = \"y\" ;").is_err(), "duplicate");
    }
}
