//! The syntax diagnostic codes, DS001–DS099, with the documentation `dialscript explain`
//! prints for each.
//!
//! Codes are never renumbered or reused: a retired code keeps its entry, marked as no longer
//! emitted. Every code here has a fixture under `tests/fixtures/syntax/err/` and a snapshot.

use crate::diagnostic::{Code, Severity};

/// A documented code: what it is called, how serious it is by default, and its help page.
#[derive(Clone, Copy, Debug)]
pub struct CodeDoc {
    /// Code and name.
    pub code: Code,
    /// Default severity.
    pub severity: Severity,
    /// One line saying what the code reports.
    pub summary: &'static str,
    /// The page: what it means, why, an example and the fix (Markdown).
    pub explanation: &'static str,
}

macro_rules! syntax_codes {
    ($( $konst:ident = $code:literal, $name:literal, $summary:literal, $explanation:literal; )*) => {
        $(
            #[doc = $summary]
            pub const $konst: Code = Code { code: $code, name: $name };
        )*
        /// Every syntax code, in code order.
        pub const SYNTAX_CODES: &[CodeDoc] = &[
            $( CodeDoc { code: $konst, severity: Severity::Error, summary: $summary, explanation: $explanation }, )*
        ];
    };
}

syntax_codes! {
    UNEXPECTED_CHARACTER = "DS001", "unexpected-character",
    "A character that cannot start any token of the language.",
    "## What it means\nOutside strings and comments a script holds only names, numbers, `$` system \
variables and the operators `+ - * / ! < > <= >= == != = ( ) , :`. Any other character, such as \
`&`, `#`, `{` or a byte above 0x7F, is an error.\n\n## Example\n```\nif a && b then\n```\n\n## Fix\n\
Use the word operators: `if a and b then`. Comments start with `;`.";

    UNTERMINATED_STRING = "DS002", "unterminated-string",
    "A string literal that is not closed before the end of its line.",
    "## What it means\nString literals are written in double quotes on one line. A `\\\"` inside \
the string is an escaped quote and does not close it, so `\"^\\\"` never closes.\n\n## Example\n\
```\ntransmit \"ATZ^M\n```\n\n## Fix\nClose the string: `transmit \"ATZ^M\"`.";

    UNKNOWN_SYSTEM_VARIABLE = "DS003", "unknown-system-variable",
    "A `$` name other than `$USERID`, `$PASSWORD`, `$SUCCESS` or `$FAILURE`.",
    "## What it means\nOnly four system variables exist. A user's own variables are declared with \
`integer`, `string` or `boolean` and written without `$`.\n\n## Example\n```\ntransmit $USER, raw\n\
```\n\n## Fix\n`transmit $USERID, raw`.";

    INTEGER_OUT_OF_RANGE = "DS004", "integer-literal-out-of-range",
    "An integer literal that does not fit in a 32-bit signed integer.",
    "## What it means\nIntegers are 32-bit signed values, from -2147483648 to 2147483647.\n\n\
## Example\n```\ndelay 99999999999\n```\n\n## Fix\nUse a smaller value.";

    UNEXPECTED_TOKEN = "DS005", "unexpected-token",
    "A token where the grammar expects something else.",
    "## What it means\nThe parser expected a particular kind of token (a name, an expression, a \
keyword such as `then`) and found another.\n\n## Example\n```\nif $SUCCESS\n   transmit \"p^M\"\n\
endif\n```\n\n## Fix\nAdd what is missing: `if $SUCCESS then`.";

    UNCLOSED_BLOCK = "DS006", "unclosed-block",
    "A `proc`, `if` or `while` that is not closed by its `endproc`, `endif` or `endwhile`.",
    "## What it means\nEvery block has its own closing keyword. The error points at the block \
that is still open where another block's end, the next `proc` or the end of the file was \
found.\n\n## Example\n```\nproc main\n   if $SUCCESS then\n      transmit \"p^M\"\nendproc\n```\n\n\
## Fix\nClose the `if` with `endif` before `endproc`.";

    UNMATCHED_BLOCK_END = "DS007", "unmatched-block-end",
    "An `endif`, `endwhile` or `endproc` with no block of that kind open.",
    "## What it means\nA closing keyword must match the innermost open block.\n\n## Example\n```\n\
proc main\n   delay 1\n   endif\nendproc\n```\n\n## Fix\nRemove the stray keyword or add the \
block it should close.";

    ELSE_NOT_SUPPORTED = "DS008", "else-not-supported",
    "`else` (or `elseif`) used as if the language had it.",
    "## What it means\nThe Dial-Up Scripting Command Language has `if ... then ... endif` and no \
`else`. `else` is not even a reserved word.\n\n## Example\n```\nif $SUCCESS then\n   transmit \
\"p^M\"\nelse\n   halt\nendif\n```\n\n## Fix\nTest the opposite condition in a second `if`: \
`if $FAILURE then halt endif`, or jump with `goto`.";

    UNKNOWN_COMMAND = "DS009", "unknown-command",
    "A statement that starts with a name that is no command, and is not an assignment or a label.",
    "## What it means\nA statement is a command (`transmit`, `waitfor`, `delay`, ...), a \
declaration, an assignment `name = value` or a label `name:`.\n\n## Example\n```\nwaitfro \
\"ogin:\" until 30\n```\n\n## Fix\nCorrect the spelling: `waitfor`.";

    PROCOMM_SYNTAX = "DS010", "procomm-syntax",
    "Procomm Plus ASPECT syntax, which this language resembles but does not accept.",
    "## What it means\nThe language borrows words from Procomm's ASPECT (`proc main`, \
`transmit`, `waitfor`) but not its forms: there is no `pause`, and a `waitfor` timeout is \
written `until SECONDS`, not as a bare number.\n\n## Example\n```\nwaitfor \"ogin:\" 30\npause 2\n\
```\n\n## Fix\n```\nwaitfor \"ogin:\" until 30\ndelay 2\n```";

    SWITCH_INF_SYNTAX = "DS011", "switch-inf-syntax",
    "Windows NT `switch.inf` / `pad.inf` syntax in a `.scp` script.",
    "## What it means\nWindows NT 3.x RAS scripts (`[section]`, `COMMAND=`, `OK=<match>`) are a \
different language. NT 4.0 runs both, but a `.scp` file must use this one.\n\n## Example\n```\n\
COMMAND=ATZ<cr>\n```\n\n## Fix\n`transmit \"ATZ<cr>\"`, then `waitfor \"OK\" until 10`.";

    CHAT_SYNTAX = "DS012", "chat-syntax",
    "pppd `chat` expect-send pairs in a `.scp` script.",
    "## What it means\n`chat` scripts are lists of strings to expect and strings to send. Here \
each step is a command.\n\n## Example\n```\n\"ogin:\" \"myname^M\"\n```\n\n## Fix\n```\n\
waitfor \"ogin:\" until 30\ntransmit \"myname^M\"\n```";

    STATEMENT_OUTSIDE_PROC = "DS013", "statement-outside-proc",
    "A statement or declaration outside any `proc ... endproc`.",
    "## What it means\nEverything a script does lives in procedures; execution starts in \
`proc main`.\n\n## Example\n```\ntransmit \"ATZ^M\"\nproc main\nendproc\n```\n\n## Fix\nMove \
the statement into `proc main`.";

    INVALID_PORT_SETTING = "DS014", "invalid-port-setting",
    "A `set port` setting or value that does not exist.",
    "## What it means\n`set port` takes one of `databits 5|6|7|8`, `parity \
none|odd|even|mark|space` or `stopbits 1|2`, written literally.\n\n## Example\n```\nset port \
databits 9\n```\n\n## Fix\n`set port databits 8`.";

    UNKNOWN_SET_OPTION = "DS015", "unknown-set-option",
    "A `set` command with an option other than `port`, `screen keyboard` or `ipaddr`.",
    "## What it means\n`set` has three forms: `set port ...`, `set screen keyboard on|off` and \
`set ipaddr ADDRESS`.\n\n## Example\n```\nset baud 9600\n```\n\n## Fix\nSet the speed in the \
connection's properties (or `dialscript run --baud`), not in the script.";

    NESTING_TOO_DEEP = "DS016", "nesting-too-deep",
    "Blocks or expressions nested deeper than the parser's limit.",
    "## What it means\nTo stay fast and never overflow its stack, the parser accepts at most 100 \
levels of nested `if`/`while` blocks and 100 levels of nested parentheses or unary operators. \
The construct that goes deeper is skipped.\n\n## Fix\nFlatten the script: test conditions one \
after another, or jump with `goto`.";

    WAITFOR_CASE_WITHOUT_THEN = "DS017", "waitfor-case-without-then",
    "A `waitfor` with several strings where one of them has no `then label`.",
    "## What it means\nA `waitfor` with one string may omit `then`. With several strings every \
string needs its own `then label`, or the script could not tell which one arrived.\n\n## \
Example\n```\nwaitfor \"CONNECT\", \"BUSY\" until 60\n```\n\n## Fix\n```\nwaitfor \"CONNECT\" \
then Online, \"BUSY\" then Busy until 60\n```";

    RESERVED_WORD_AS_NAME = "DS018", "reserved-word-as-name",
    "A reserved word used as a variable, label or procedure name.",
    "## What it means\nThe 39 reserved words (`and`, `boolean`, `databits`, ... `waitfor`, \
`while`) cannot name anything.\n\n## Example\n```\ninteger until = 30\n```\n\n## Fix\nChoose \
another name: `integer nTimeout = 30`.";

    FILE_TOO_LARGE = "DS019", "file-too-large",
    "A script larger than the parser accepts (4 GiB).",
    "## What it means\nSpans are 32-bit byte offsets, so a script must be smaller than 4 GiB. \
Real scripts are a few kilobytes.\n\n## Fix\nCheck that the file is really a script.";
}

/// Looks up a syntax code by its code (`DS005`) or name (`unexpected-token`), in any case.
pub fn find(code_or_name: &str) -> Option<&'static CodeDoc> {
    SYNTAX_CODES.iter().find(|d| {
        d.code.code.eq_ignore_ascii_case(code_or_name)
            || d.code.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// The semantic error codes, DS101–DS110. Their documentation lives with the checker's rules;
/// they are defined here because both the checker and the VM's compiler report them, from the
/// same facts ([`crate::sema`]).
pub mod semantic {
    use crate::diagnostic::Code;

    /// No `proc main`.
    pub const MISSING_MAIN: Code = Code {
        code: "DS101",
        name: "missing-main",
    };
    /// A jump to a label that does not exist.
    pub const UNDEFINED_LABEL: Code = Code {
        code: "DS102",
        name: "undefined-label",
    };
    /// A label defined twice.
    pub const DUPLICATE_LABEL: Code = Code {
        code: "DS103",
        name: "duplicate-label",
    };
    /// A variable used where it is not declared.
    pub const UNDECLARED_VARIABLE: Code = Code {
        code: "DS104",
        name: "undeclared-variable",
    };
    /// A variable declared twice.
    pub const DUPLICATE_DECLARATION: Code = Code {
        code: "DS105",
        name: "duplicate-declaration",
    };
    /// A value of the wrong type.
    pub const TYPE_MISMATCH: Code = Code {
        code: "DS106",
        name: "type-mismatch",
    };
    /// An assignment to a system variable.
    pub const ASSIGN_TO_SYSTEM_VARIABLE: Code = Code {
        code: "DS107",
        name: "assign-to-system-variable",
    };
    /// Two procedures with one name.
    pub const DUPLICATE_PROC: Code = Code {
        code: "DS108",
        name: "duplicate-proc",
    };
    /// A division by the literal zero.
    pub const DIVISION_BY_ZERO: Code = Code {
        code: "DS109",
        name: "division-by-zero",
    };
    /// `2147483648` without a minus.
    pub const INTEGER_OVERFLOW: Code = Code {
        code: "DS110",
        name: "integer-overflow",
    };
}
