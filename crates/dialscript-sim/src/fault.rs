//! Faults that overlay any ISP profile.

use std::fmt;

/// Something going wrong on the way to, or at, the ISP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// The ISP answers the call and then never says anything (the ISP of KB Q175410).
    SilentAfterConnect,
    /// The prompts are worded differently from what the script waits for.
    WrongPrompt,
    /// The line runs at 300 baud.
    Slow,
    /// The ISP refuses every password.
    WrongPassword,
    /// The carrier is lost in the middle of the login, after the user name.
    LineDrop,
    /// Random bytes (line noise) appear among the ISP's output.
    Noise,
    /// The ISP echoes everything, the password included.
    Echo,
    /// The number is busy.
    Busy,
    /// The modem gets no answer: NO CARRIER.
    NoCarrier,
}

impl Fault {
    /// Every fault, in the order `dialscript test` runs them.
    pub const ALL: [Fault; 9] = [
        Fault::SilentAfterConnect,
        Fault::WrongPrompt,
        Fault::Slow,
        Fault::WrongPassword,
        Fault::LineDrop,
        Fault::Noise,
        Fault::Echo,
        Fault::Busy,
        Fault::NoCarrier,
    ];

    /// The fault's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Fault::SilentAfterConnect => "silent-after-connect",
            Fault::WrongPrompt => "wrong-prompt",
            Fault::Slow => "slow",
            Fault::WrongPassword => "wrong-password",
            Fault::LineDrop => "line-drop",
            Fault::Noise => "noise",
            Fault::Echo => "echo",
            Fault::Busy => "busy",
            Fault::NoCarrier => "no-carrier",
        }
    }

    /// What it simulates, in a few words.
    pub fn description(self) -> &'static str {
        match self {
            Fault::SilentAfterConnect => "the ISP answers, then never speaks",
            Fault::WrongPrompt => "prompts worded differently",
            Fault::Slow => "300 baud",
            Fault::WrongPassword => "every password refused",
            Fault::LineDrop => "carrier lost after the user name",
            Fault::Noise => "random line noise",
            Fault::Echo => "everything echoed, the password too",
            Fault::Busy => "the number is busy",
            Fault::NoCarrier => "no answer",
        }
    }

    /// A fault by name.
    pub fn parse(name: &str) -> Result<Fault, String> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                let names: Vec<_> = Fault::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown fault `{name}`; the faults are {}",
                    names.join(", ")
                )
            })
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
