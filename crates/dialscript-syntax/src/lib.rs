//! Parser, syntax tree, diagnostics and printer for the Dial-Up Scripting Command Language of
//! Windows 95 and NT 4.0: the `.scp` scripts that log a modem connection into an ISP.
//!
//! ```
//! use dialscript_syntax::{parse, print};
//!
//! let src = b"proc main\n  waitfor \"assword:\" until 30\n  transmit $PASSWORD, raw\nendproc\n";
//! let parse = parse(src);
//! assert!(parse.diagnostics.is_empty());
//! // The canonical printer's output parses back to the same tree.
//! let again = dialscript_syntax::parse(&print(&parse.script));
//! assert!(again.diagnostics.is_empty());
//! ```
//!
//! Invariants: [`parse`] never fails and never panics, for any bytes; every span lies inside
//! the input; nesting is bounded ([`parser::MAX_DEPTH`]) so that no input can overflow the
//! stack here or in any stage that walks the tree recursively.

#![deny(missing_docs)]

pub mod ast;
pub mod codes;
pub mod diagnostic;
pub mod lexer;
mod name;
pub mod parser;
pub mod print;
pub mod sema;
pub mod source;
pub mod span;
pub mod suggest;
pub mod token;
pub mod translate;

pub use diagnostic::{Applicability, Code, Diagnostic, Edit, Fix, Label, Severity};
pub use parser::{Parse, parse};
pub use print::print;
pub use source::SourceFile;
pub use span::Span;
pub use translate::translate;
