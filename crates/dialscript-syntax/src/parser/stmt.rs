//! Statement parsers, one per production of `grammar/dialscript.ebnf`.

use nom::Parser;
use nom::combinator::opt;

use super::input::{PErr, PResult, Toks};
use super::{BlockKind, Cx, MAX_DEPTH, block, expr};
use crate::ast::{
    Expr, ExprKind, Ident, Parity, PortSetting, Stmt, StmtKind, Target, Type, WaitCase,
};
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::token::{Kw, Token, TokenKind};

/// Words that begin statements, for "did you mean" on unknown commands.
const COMMAND_WORDS: &[&str] = &[
    "transmit", "waitfor", "delay", "goto", "halt", "if", "while", "set", "getip", "integer",
    "string", "boolean", "endif", "endwhile", "endproc", "proc",
];

/// A parser that takes one token of `kind`.
pub(crate) fn tok<'a>(kind: TokenKind) -> impl Fn(Toks<'a>) -> PResult<'a, Token> {
    move |i: Toks<'a>| {
        let t = i.peek();
        if t.kind == kind {
            Ok((i.bump(), t))
        } else {
            Err(nom::Err::Error(PErr(None)))
        }
    }
}

/// A parser that takes the reserved word `kw`.
pub(crate) fn kw<'a>(kw: Kw) -> impl Fn(Toks<'a>) -> PResult<'a, Token> {
    tok(TokenKind::Kw(kw))
}

/// Takes the token of `kind` or fails with "expected WHAT".
fn expect<'a>(cx: &Cx<'a>, i: Toks<'a>, kind: TokenKind, what: &str) -> PResult<'a, Token> {
    match tok(kind)(i) {
        Ok(ok) => Ok(ok),
        Err(_) => cx.fail(cx.expected(i, what)),
    }
}

/// `stmt = decl | label_def | assign | delay | goto | halt | if_stmt | while_stmt | set_stmt
///        | transmit | waitfor | getip_stmt`
pub(crate) fn parse_stmt<'a>(cx: &Cx<'a>, i: Toks<'a>) -> PResult<'a, Stmt> {
    let t = i.peek();
    match t.kind {
        TokenKind::Kw(Kw::Integer) => parse_decl(cx, i, Type::Integer),
        TokenKind::Kw(Kw::String) => parse_decl(cx, i, Type::String),
        TokenKind::Kw(Kw::Boolean) => parse_decl(cx, i, Type::Boolean),
        TokenKind::Kw(Kw::Delay) => {
            let (i, e) = expr::parse_expr(cx, i.bump())?;
            Ok((i, stmt(t.span.to(e.span), StmtKind::Delay(e))))
        }
        TokenKind::Kw(Kw::Goto) => {
            let (i, name) = parse_name(cx, i.bump(), "a label name")?;
            Ok((i, stmt(t.span.to(name.span), StmtKind::Goto(name))))
        }
        TokenKind::Kw(Kw::Halt) => Ok((i.bump(), stmt(t.span, StmtKind::Halt))),
        TokenKind::Kw(Kw::If) => parse_block_stmt(cx, i, BlockKind::If),
        TokenKind::Kw(Kw::While) => parse_block_stmt(cx, i, BlockKind::While),
        TokenKind::Kw(Kw::Set) => parse_set(cx, i),
        TokenKind::Kw(Kw::Transmit) => parse_transmit(cx, i),
        TokenKind::Kw(Kw::Waitfor) => parse_waitfor(cx, i),
        TokenKind::Kw(Kw::Getip) => {
            let (i, e) = expr::parse_getip(cx, i)?;
            let ExprKind::Getip(arg) = e.kind else {
                return cx.fail(cx.expected(i, "`getip`"));
            };
            Ok((i, stmt(e.span, StmtKind::Getip(arg))))
        }
        TokenKind::Ident => match i.peek2().kind {
            TokenKind::Assign => parse_assign(cx, i),
            TokenKind::Colon => {
                let name = cx.ident(t);
                let colon = i.peek2();
                Ok((i.bump().bump(), stmt(t.span.to(colon.span), StmtKind::Label(name))))
            }
            _ => cx.fail(unknown_command(cx, i)),
        },
        TokenKind::Sys(_) if i.peek2().kind == TokenKind::Assign => parse_assign(cx, i),
        TokenKind::Sys(v) => cx.fail(
            Diagnostic::error(codes::UNEXPECTED_TOKEN, t.span, format!("expected a statement, found `{}`", v.name()))
                .with_label("a value cannot stand alone")
                .with_help(format!("to test it, write `if {} then ... endif`", v.name())),
        ),
        TokenKind::Str | TokenKind::UnclosedStr => cx.fail(
            Diagnostic::error(codes::CHAT_SYNTAX, t.span, "a string cannot begin a statement")
                .with_label("looks like a pppd `chat` expect-send pair")
                .with_help("wait for text with `waitfor \"ogin:\" until 30` and send with `transmit \"name^M\"`"),
        ),
        TokenKind::Kw(k) if matches!(i.peek2().kind, TokenKind::Assign | TokenKind::Colon) => cx.fail(
            Diagnostic::error(
                codes::RESERVED_WORD_AS_NAME,
                t.span,
                format!(
                    "`{}` is a reserved word and cannot be a {} name",
                    k.as_str(),
                    if i.peek2().kind == TokenKind::Colon { "label" } else { "variable" }
                ),
            )
                .with_label("reserved word")
                .with_help("choose another name"),
        ),
        TokenKind::Error => Err(nom::Err::Error(PErr(None))),
        _ => cx.fail(
            Diagnostic::error(codes::UNEXPECTED_TOKEN, t.span, format!("expected a statement, found {}", cx.found(t)))
                .with_label("no statement begins like this"),
        ),
    }
}

fn stmt(span: Span, kind: StmtKind) -> Stmt {
    Stmt { kind, span }
}

/// A name for a variable, label or procedure. A reserved word is reported (DS018) and taken
/// as the name anyway, so the rest of the statement still parses.
#[inline(always)]
pub(crate) fn parse_name<'a>(cx: &Cx<'a>, i: Toks<'a>, what: &str) -> PResult<'a, Ident> {
    // The name itself, the common case, is made in place; the rest is out of line.
    let t = i.peek();
    if t.kind == TokenKind::Ident {
        return Ok((i.bump(), cx.ident(t)));
    }
    not_a_name(cx, i, what)
}

/// [`parse_name`] when the next token is not a name.
#[cold]
fn not_a_name<'a>(cx: &Cx<'a>, i: Toks<'a>, what: &str) -> PResult<'a, Ident> {
    let t = i.peek();
    match t.kind {
        TokenKind::Kw(k) if !t.line_start => {
            cx.report(
                Diagnostic::error(
                    codes::RESERVED_WORD_AS_NAME,
                    t.span,
                    format!("`{}` is a reserved word and cannot be {what}", k.as_str()),
                )
                .with_label("reserved word")
                .with_help("choose another name"),
            );
            Ok((i.bump(), cx.ident(t)))
        }
        _ => cx.fail(cx.expected(i, what)),
    }
}

/// `decl = type IDENT [ "=" expr ]`
fn parse_decl<'a>(cx: &Cx<'a>, i: Toks<'a>, ty: Type) -> PResult<'a, Stmt> {
    let start = i.peek().span;
    let (i, name) = parse_name(cx, i.bump(), "a variable name")?;
    // Only the switch.inf keys are ever looked up (to tell `COMMAND=` from an assignment), so
    // only they are recorded: hashing every declared name cost more than the lookup saves.
    if is_switch_inf_key(&name) {
        cx.declared.borrow_mut().insert(name.key());
    }
    let (i, init) = opt(tok(TokenKind::Assign)).parse(i)?;
    let (i, init) = match init {
        Some(_) => {
            let (i, e) = expr::parse_expr(cx, i)?;
            (i, Some(e))
        }
        None => (i, None),
    };
    let end = init.as_ref().map_or(name.span, |e| e.span);
    Ok((i, stmt(start.to(end), StmtKind::Decl { ty, name, init })))
}

/// `assign = ( IDENT | SYSVAR ) "=" expr`
fn parse_assign<'a>(cx: &Cx<'a>, i: Toks<'a>) -> PResult<'a, Stmt> {
    let t = i.peek();
    let target = match t.kind {
        TokenKind::Sys(v) => Target::Sys(v, t.span),
        _ => {
            let name = cx.ident(t);
            if is_switch_inf_key(&name) && !cx.declared.borrow().contains(&name.key()) {
                return cx.fail(
                    Diagnostic::error(codes::SWITCH_INF_SYNTAX, t.span.to(i.peek2().span), format!("`{}=` is Windows NT switch.inf syntax", name.name))
                        .with_label("switch.inf / pad.inf line")
                        .with_help("in a `.scp` script send with `transmit \"ATZ<cr>\"` and wait with `waitfor \"OK\" until 10`"),
                );
            }
            Target::Var(name)
        }
    };
    let (i, e) = expr::parse_expr(cx, i.bump().bump())?;
    Ok((
        i,
        stmt(t.span.to(e.span), StmtKind::Assign { target, value: e }),
    ))
}

fn is_switch_inf_key(name: &Ident) -> bool {
    ["command", "ok", "connect", "error", "noresponse", "loop"]
        .iter()
        .any(|k| name.is(k))
}

/// `if_stmt = "if" expr "then" { stmt } "endif"` and
/// `while_stmt = "while" expr "do" { stmt } "endwhile"`.
fn parse_block_stmt<'a>(cx: &Cx<'a>, i: Toks<'a>, kind: BlockKind) -> PResult<'a, Stmt> {
    let kw_tok = i.peek();
    let (opener, joiner) = match kind {
        BlockKind::While => ("while", Kw::Do),
        _ => ("if", Kw::Then),
    };
    if cx.block_depth() >= MAX_DEPTH {
        return Ok(skip_too_deep(cx, i, kind));
    }
    let mut i = i.bump();
    let mut cond_failed = false;
    let cond = match expr::parse_expr(cx, i) {
        Ok((rest, e)) => {
            i = rest;
            e
        }
        Err(e) => {
            cx.report_err(e);
            cond_failed = true;
            // Skip the rest of the condition but keep the block, so its body and its closing
            // keyword still pair up.
            let from = cx.prev_end(i);
            while !matches!(i.peek().kind, TokenKind::Kw(k) if k == joiner) && !i.peek().line_start
            {
                i = i.bump();
            }
            Expr {
                kind: ExprKind::Error,
                span: Span::new(from, cx.prev_end(i).max(from)),
            }
        }
    };
    match kw(joiner)(i) {
        Ok((rest, _)) => i = rest,
        // The condition's error already points here; a second one about `then` would only
        // repeat it.
        Err(_) if cond_failed && i.peek().line_start => {}
        Err(_) => {
            let mut d = cx.expected(i, &format!("`{}`", joiner.as_str()));
            d.message = format!(
                "expected `{}` after the condition of `{opener}`, found {}",
                joiner.as_str(),
                cx.found(i.peek())
            )
            .into();
            if i.peek().kind == TokenKind::Assign {
                d = d.with_help("`=` assigns; compare with `==`");
            } else {
                d = d.with_help(format!("write `{opener} CONDITION {}`", joiner.as_str()));
            }
            cx.report(d);
            // Parse the body anyway: the missing word is the likeliest mistake.
            if i.peek().kind == TokenKind::Assign {
                i = skip_line(i);
            }
        }
    }
    let (i, body, end) = block(cx, i, kind, kw_tok.span);
    let last = end
        .or_else(|| body.last().map(|s| s.span))
        .unwrap_or(cond.span);
    let span = kw_tok.span.to(last);
    let kind = match kind {
        BlockKind::While => StmtKind::While { cond, body, end },
        _ => StmtKind::If { cond, body, end },
    };
    Ok((i, stmt(span, kind)))
}

/// Skips the rest of the current line (to the next token that starts a line).
fn skip_line(mut i: Toks<'_>) -> Toks<'_> {
    i = i.bump();
    while !i.peek().line_start {
        i = i.bump();
    }
    i
}

/// Skips a block nested deeper than [`MAX_DEPTH`] without recursing: counts openers and
/// closers until they balance. Reports once and leaves an empty block in its place.
fn skip_too_deep<'a>(cx: &Cx<'a>, mut i: Toks<'a>, kind: BlockKind) -> (Toks<'a>, Stmt) {
    let start = i.peek().span;
    let mut depth = 0u64;
    let mut end = start;
    loop {
        let t = i.peek();
        match t.kind {
            TokenKind::Kw(Kw::If | Kw::While) => depth += 1,
            TokenKind::Kw(Kw::Endif | Kw::Endwhile) => depth = depth.saturating_sub(1),
            TokenKind::Kw(Kw::Proc | Kw::Endproc) | TokenKind::Eof => break,
            _ => {}
        }
        end = t.span;
        i = i.bump();
        if depth == 0 {
            break;
        }
    }
    let span = start.to(end);
    cx.report(
        Diagnostic::error(
            codes::NESTING_TOO_DEEP,
            start,
            format!("blocks nested more than {MAX_DEPTH} levels deep"),
        )
        .with_label("this block is skipped")
        .with_help("flatten the script: test conditions one after another, or jump with `goto`"),
    );
    let cond = Expr {
        kind: ExprKind::Error,
        span: start,
    };
    let kind = match kind {
        BlockKind::While => StmtKind::While {
            cond,
            body: Vec::new(),
            end: None,
        },
        _ => StmtKind::If {
            cond,
            body: Vec::new(),
            end: None,
        },
    };
    (i, stmt(span, kind))
}

/// `set_stmt = "set" ( "port" port_opt | "screen" "keyboard" ( "on" | "off" ) | "ipaddr" expr )`
fn parse_set<'a>(cx: &Cx<'a>, i: Toks<'a>) -> PResult<'a, Stmt> {
    let set = i.peek();
    let i = i.bump();
    let t = i.peek();
    match t.kind {
        TokenKind::Kw(Kw::Port) => {
            let (i, (setting, end)) = parse_port_opt(cx, i.bump())?;
            Ok((i, stmt(set.span.to(end), StmtKind::SetPort(setting))))
        }
        TokenKind::Kw(Kw::Screen) => {
            let (i, _) = expect(cx, i.bump(), TokenKind::Kw(Kw::Keyboard), "`keyboard`")?;
            let v = i.peek();
            let on = match v.kind {
                TokenKind::Kw(Kw::On) => true,
                TokenKind::Kw(Kw::Off) => false,
                _ => return cx.fail(cx.expected(i, "`on` or `off`")),
            };
            Ok((i.bump(), stmt(set.span.to(v.span), StmtKind::SetScreenKeyboard(on))))
        }
        TokenKind::Kw(Kw::Ipaddr) => {
            let (i, e) = expr::parse_expr(cx, i.bump())?;
            Ok((i, stmt(set.span.to(e.span), StmtKind::SetIpAddr(e))))
        }
        _ if t.line_start => cx.fail(
            Diagnostic::error(
                codes::UNKNOWN_SET_OPTION,
                Span::empty(set.span.end),
                format!("expected `port`, `screen keyboard` or `ipaddr` after `set`, found {}", cx.found(t)),
            )
            .with_label("`set` option missing here")
            .with_help("the forms are `set port databits|parity|stopbits VALUE`, `set screen keyboard on|off` and `set ipaddr ADDRESS`"),
        ),
        _ => {
            let word = cx.found(t);
            let mut d = Diagnostic::error(codes::UNKNOWN_SET_OPTION, if t.line_start { set.span } else { t.span }, format!("unknown `set` option {word}"))
                .with_label("`set` takes `port`, `screen keyboard` or `ipaddr`");
            let lower = String::from_utf8_lossy(cx.text(t.span)).to_ascii_lowercase();
            d = match lower.as_str() {
                "baud" | "speed" | "baudrate" => d.with_help("the line speed is a property of the connection (or `dialscript run --baud`), not of the script"),
                "databits" | "parity" | "stopbits" => d.with_help(format!("write `set port {lower} ...`")),
                "keyboard" => d.with_help("write `set screen keyboard on` or `off`"),
                "ip" | "ipaddress" | "address" => d.with_help("write `set ipaddr ADDRESS`"),
                _ => d.with_help("the forms are `set port databits|parity|stopbits VALUE`, `set screen keyboard on|off` and `set ipaddr ADDRESS`"),
            };
            cx.fail(d)
        }
    }
}

/// `port_opt = "databits" ( "5" | "6" | "7" | "8" ) | "parity" ( "none" | "odd" | "even" |
/// "mark" | "space" ) | "stopbits" ( "1" | "2" )`
fn parse_port_opt<'a>(cx: &Cx<'a>, i: Toks<'a>) -> PResult<'a, (PortSetting, Span)> {
    let t = i.peek();
    let v = i.peek2();
    let value = cx.text(v.span);
    let bad = |what: &str, allowed: &str| {
        if v.line_start {
            // The value is missing: the next token belongs to the next statement.
            return cx.fail(
                Diagnostic::error(
                    codes::INVALID_PORT_SETTING,
                    Span::empty(t.span.end),
                    format!(
                        "expected {allowed} after {}, found {}",
                        cx.found(t),
                        cx.found(v)
                    ),
                )
                .with_label(format!("{what} missing here"))
                .with_help(format!("write one of {allowed}")),
            );
        }
        let span = v.span;
        cx.fail(
            Diagnostic::error(
                codes::INVALID_PORT_SETTING,
                span,
                format!("invalid {what} {}", cx.found(v)),
            )
            .with_label(format!("{what} must be {allowed}"))
            .with_help(format!("write one of {allowed}")),
        )
    };
    match t.kind {
        TokenKind::Kw(Kw::Databits) => match (v.kind, value) {
            (TokenKind::Int, [d @ b'5'..=b'8']) => Ok((i.bump().bump(), (PortSetting::DataBits(d - b'0'), v.span))),
            _ => bad("data bits", "`5`, `6`, `7` or `8`"),
        },
        TokenKind::Kw(Kw::Stopbits) => match (v.kind, value) {
            (TokenKind::Int, [d @ (b'1' | b'2')]) => Ok((i.bump().bump(), (PortSetting::StopBits(d - b'0'), v.span))),
            _ => bad("stop bits", "`1` or `2`"),
        },
        TokenKind::Kw(Kw::Parity) => {
            let p = match v.kind {
                TokenKind::Kw(Kw::None) => Parity::None,
                TokenKind::Kw(Kw::Odd) => Parity::Odd,
                TokenKind::Kw(Kw::Even) => Parity::Even,
                TokenKind::Kw(Kw::Mark) => Parity::Mark,
                TokenKind::Kw(Kw::Space) => Parity::Space,
                _ => return bad("parity", "`none`, `odd`, `even`, `mark` or `space`"),
            };
            Ok((i.bump().bump(), (PortSetting::Parity(p), v.span)))
        }
        _ if t.line_start => cx.fail(
            Diagnostic::error(
                codes::INVALID_PORT_SETTING,
                Span::empty(cx.prev_end(i)),
                format!("expected `databits`, `parity` or `stopbits` after `set port`, found {}", cx.found(t)),
            )
            .with_label("port setting missing here")
            .with_help("write `set port databits 8`, `set port parity none` or `set port stopbits 1`"),
        ),
        _ => cx.fail(
            Diagnostic::error(codes::INVALID_PORT_SETTING, t.span, format!("unknown port setting {}", cx.found(t)))
                .with_label("expected `databits`, `parity` or `stopbits`")
                .with_help("the line speed and flow control are properties of the connection, not of the script"),
        ),
    }
}

/// `transmit = "transmit" expr [ "," "raw" ]`
fn parse_transmit<'a>(cx: &Cx<'a>, i: Toks<'a>) -> PResult<'a, Stmt> {
    let start = i.peek().span;
    let (i, value) = expr::parse_expr(cx, i.bump())?;
    let (i, comma) = opt(tok(TokenKind::Comma)).parse(i)?;
    if comma.is_none() {
        return Ok((
            i,
            stmt(
                start.to(value.span),
                StmtKind::Transmit { value, raw: false },
            ),
        ));
    }
    let (i, raw) = expect(cx, i, TokenKind::Kw(Kw::Raw), "`raw`")?;
    Ok((
        i,
        stmt(start.to(raw.span), StmtKind::Transmit { value, raw: true }),
    ))
}

/// `waitfor = "waitfor" expr [ "," "matchcase" ] [ "then" IDENT { "," expr [ "," "matchcase" ]
/// "then" IDENT } ] [ "until" expr ]`
fn parse_waitfor<'a>(cx: &Cx<'a>, i: Toks<'a>) -> PResult<'a, Stmt> {
    let start = i.peek().span;
    let mut i = i.bump();
    // Most `waitfor`s wait for one string, and most of those have no `then`: room for one
    // case, and the first string without `then` kept apart, spare them an allocation each.
    let mut cases: Vec<WaitCase> = Vec::with_capacity(1);
    let mut end = start;
    let mut first_missing_then: Option<Span> = None;
    let mut more_missing_then: Vec<Span> = Vec::new();
    loop {
        let (rest, pattern) = expr::parse_expr(cx, i)?;
        i = rest;
        end = end.to(pattern.span);
        let mut matchcase = false;
        if i.peek().kind == TokenKind::Comma && i.peek2().kind == TokenKind::Kw(Kw::Matchcase) {
            end = end.to(i.peek2().span);
            i = i.bump().bump();
            matchcase = true;
        }
        let mut target = None;
        if let Ok((rest, _)) = kw(Kw::Then)(i) {
            let (rest, name) = parse_name(cx, rest, "a label name after `then`")?;
            end = end.to(name.span);
            target = Some(name);
            i = rest;
        } else {
            match first_missing_then {
                None => first_missing_then = Some(pattern.span),
                Some(_) => more_missing_then.push(pattern.span),
            }
        }
        cases.push(WaitCase {
            pattern,
            matchcase,
            target,
        });
        match tok(TokenKind::Comma)(i) {
            Ok((rest, _)) => i = rest,
            Err(_) => break,
        }
    }
    if let Some(first) = first_missing_then.filter(|_| cases.len() > 1) {
        let mut d = Diagnostic::error(
            codes::WAITFOR_CASE_WITHOUT_THEN,
            first,
            "every string of a `waitfor` with several strings needs `then LABEL`",
        )
        .with_label("this string has no `then`")
        .with_help("write `waitfor \"CONNECT\" then Online, \"BUSY\" then Busy until 60`");
        for s in &more_missing_then {
            d = d.with_related(*s, "nor this one");
        }
        cx.report(d);
    }
    let mut until = None;
    if let Ok((rest, _)) = kw(Kw::Until)(i) {
        let (rest, e) = expr::parse_expr(cx, rest)?;
        end = end.to(e.span);
        until = Some(e);
        i = rest;
    } else if i.peek().kind == TokenKind::Int && !i.peek().line_start {
        let n = i.peek();
        return cx.fail(
            Diagnostic::error(
                codes::PROCOMM_SYNTAX,
                n.span,
                "a bare number after `waitfor` is Procomm syntax",
            )
            .with_label("timeout written the Procomm way")
            .with_help(format!(
                "write `until {}`",
                String::from_utf8_lossy(cx.text(n.span))
            )),
        );
    }
    Ok((i, stmt(start.to(end), StmtKind::Waitfor { cases, until })))
}

/// The error for a statement that starts with a name followed by neither `=` nor `:`, with
/// hints for the words of neighbouring languages.
fn unknown_command(cx: &Cx<'_>, i: Toks<'_>) -> Diagnostic {
    let t = i.peek();
    let word = String::from_utf8_lossy(cx.text(t.span)).into_owned();
    let lower = word.to_ascii_lowercase();
    let d = |code, msg: String, label: &'static str, help: &'static str| {
        Diagnostic::error(code, t.span, msg)
            .with_label(label)
            .with_help(help)
    };
    match lower.as_str() {
        "else" | "elseif" | "elsif" | "elif" => d(
            codes::ELSE_NOT_SUPPORTED,
            format!("`{word}` is not part of this language"),
            "no `else` in `if ... then ... endif`",
            "close the `if` with `endif` and test the opposite condition in a second `if` (`if $FAILURE then`), or jump with `goto`",
        ),
        "pause" => d(
            codes::PROCOMM_SYNTAX,
            "`pause` is Procomm's command, not this language's".into(),
            "Procomm ASPECT",
            "wait with `delay SECONDS`",
        ),
        "abort" | "timeout" | "report" | "clr_abort" | "say" | "echo" | "hangup" => d(
            codes::CHAT_SYNTAX,
            format!("`{word}` is a pppd `chat` keyword, not a command of this language"),
            "chat syntax",
            "use `waitfor \"text\" then LABEL, \"BUSY\" then Failed until 30` for aborts and timeouts",
        ),
        "end" => d(
            codes::UNKNOWN_COMMAND,
            format!("unknown command `{word}`"),
            "not a command",
            "blocks end with `endif`, `endwhile` or `endproc`",
        ),
        "send" | "sendln" | "output" => d(
            codes::UNKNOWN_COMMAND,
            format!("unknown command `{word}`"),
            "not a command",
            "send text with `transmit \"text^M\"`",
        ),
        "expect" | "wait" | "input" => d(
            codes::UNKNOWN_COMMAND,
            format!("unknown command `{word}`"),
            "not a command",
            "wait for text with `waitfor \"text\" until SECONDS`",
        ),
        "sleep" => d(
            codes::UNKNOWN_COMMAND,
            format!("unknown command `{word}`"),
            "not a command",
            "wait with `delay SECONDS`",
        ),
        "exit" | "return" | "quit" | "stop" => d(
            codes::UNKNOWN_COMMAND,
            format!("unknown command `{word}`"),
            "not a command",
            "`halt` stops the script and leaves the terminal to the user; reaching `endproc` of `main` ends it with success",
        ),
        _ => {
            let base = Diagnostic::error(
                codes::UNKNOWN_COMMAND,
                t.span,
                format!("unknown command `{word}`"),
            )
            .with_label("not a command");
            match crate::suggest::closest(&word, COMMAND_WORDS.iter().copied()) {
                Some(s) => {
                    let mut d = base;
                    d.message = format!("unknown command `{word}`; did you mean `{s}`?").into();
                    d.with_help(format!("did you mean `{s}`?"))
                }
                None => base.with_help(format!(
                    "a statement is a command, an assignment `{word} = VALUE` or a label `{word}:`"
                )),
            }
        }
    }
}
