//! ISP profiles: what the simulated ISP says, what it accepts, how fast and in which framing.
//! The format is documented in `docs/isp-profiles.md`.

use serde::Deserialize;

/// A simulated ISP.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Short name (`ozemail`).
    pub name: String,
    /// One line for listings.
    #[serde(default)]
    pub description: String,
    /// Line speed in bits per second; every byte takes 10 bit times.
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// `8N1`, `7E1`, `7O1`, `8E1`...: what the ISP's side uses. A client with other settings
    /// sees garbled bytes, as a real one would.
    #[serde(default = "default_framing")]
    pub framing: String,
    /// Sent right after CONNECT.
    #[serde(default)]
    pub greeting: String,
    /// Think time before each prompt, in milliseconds.
    #[serde(default = "default_prompt_delay")]
    pub prompt_delay_ms: u64,
    /// Echo what the caller types (never the password).
    #[serde(default = "default_true")]
    pub echo: bool,
    /// Login attempts before the ISP hangs up.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// The ISP hangs up after this many seconds without input at a prompt.
    #[serde(default = "default_idle")]
    pub idle_timeout_s: u64,
    /// Fixed accounts; when empty, the ISP accepts the credentials the run was given.
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// The dialogue, in order.
    pub steps: Vec<Step>,
    /// After the last step, when the login was accepted.
    #[serde(default)]
    pub on_success: Success,
    /// When the password (or user) was refused.
    #[serde(default)]
    pub on_failure: Failure,
    /// Addresses announced (for `{server_ip}` and `{client_ip}`).
    #[serde(default = "default_server_ip")]
    pub server_ip: String,
    /// See `server_ip`.
    #[serde(default = "default_client_ip")]
    pub client_ip: String,
}

/// A user name and password the ISP accepts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

/// One step of the dialogue: a prompt, then a line from the caller.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `choice` (the line must be one of `accept`), `user` or `password`.
    pub kind: StepKind,
    /// What the ISP sends.
    pub prompt: String,
    /// For `choice`: accepted answers (compared without regard to case).
    #[serde(default)]
    pub accept: Vec<String>,
    /// For `choice`: sent when the answer is not accepted, before the prompt again.
    #[serde(default)]
    pub reject: String,
    /// For `user`: a suffix the caller appends to the user name (`/go:pppconnect`).
    #[serde(default)]
    pub suffix: String,
}

/// Kinds of [`Step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// A menu or service choice.
    Choice,
    /// The user name.
    User,
    /// The password (not echoed).
    Password,
}

/// What a successful login looks like.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Success {
    /// Text sent after the login is accepted (`{server_ip}`, `{client_ip}` are replaced).
    #[serde(default)]
    pub text: String,
    /// A shell prompt that follows; the caller must then type one of `shell_commands`.
    #[serde(default)]
    pub shell_prompt: String,
    /// Commands that start the link from the shell.
    #[serde(default)]
    pub shell_commands: Vec<String>,
    /// Then send PPP frames (LCP configure-requests) every few seconds.
    #[serde(default)]
    pub ppp: bool,
}

/// What a refused login looks like.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    /// Text sent before the dialogue starts again.
    #[serde(default)]
    pub text: String,
}

fn default_baud() -> u32 {
    28800
}
fn default_framing() -> String {
    "8N1".to_string()
}
fn default_prompt_delay() -> u64 {
    300
}
fn default_true() -> bool {
    true
}
fn default_retries() -> u32 {
    3
}
fn default_idle() -> u64 {
    120
}
fn default_server_ip() -> String {
    "10.1.0.1".to_string()
}
fn default_client_ip() -> String {
    "10.1.0.77".to_string()
}

/// The built-in profiles, by name.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("ozemail", include_str!("../profiles/ozemail.toml")),
    ("unix-login", include_str!("../profiles/unix-login.toml")),
    ("compuserve", include_str!("../profiles/compuserve.toml")),
    ("slip-menu", include_str!("../profiles/slip-menu.toml")),
];

/// Serial framing: data bits and parity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    /// 5 to 8.
    pub data_bits: u8,
    /// `N`, `E`, `O`, `M`, `S`.
    pub parity: u8,
}

impl Framing {
    /// Parses `8N1`, `7E1` and the like.
    pub fn parse(text: &str) -> Result<Framing, String> {
        let b = text.as_bytes();
        if b.len() != 3
            || !(b'5'..=b'8').contains(&b[0])
            || !b"NEOMS".contains(&b[1].to_ascii_uppercase())
            || !(b[2] == b'1' || b[2] == b'2')
        {
            return Err(format!("framing `{text}` is not like `8N1` or `7E1`"));
        }
        Ok(Framing {
            data_bits: b[0] - b'0',
            parity: b[1].to_ascii_uppercase(),
        })
    }
}

impl Profile {
    /// Parses a profile from TOML, checking what serde cannot.
    pub fn parse(text: &str) -> Result<Profile, String> {
        let p: Profile = toml::from_str(text).map_err(|e| e.to_string())?;
        Framing::parse(&p.framing)?;
        if p.baud == 0 {
            return Err("`baud` must be positive".to_string());
        }
        if p.steps.iter().all(|s| s.kind != StepKind::Password) && !p.accounts.is_empty() {
            return Err("a profile with `accounts` needs a `password` step".to_string());
        }
        Ok(p)
    }

    /// A built-in profile by name.
    pub fn built_in(name: &str) -> Option<Profile> {
        BUILT_IN
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, text)| Profile::parse(text).ok())
    }

    /// The framing the ISP uses.
    pub fn framing(&self) -> Framing {
        Framing::parse(&self.framing).unwrap_or(Framing {
            data_bits: 8,
            parity: b'N',
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_parse() {
        for (name, text) in BUILT_IN {
            let p = Profile::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(&p.name, name);
        }
    }

    #[test]
    fn bad_profiles_say_why() {
        assert!(
            Profile::parse("name = \"x\"\nsteps = []\nframing = \"9Q1\"\n")
                .unwrap_err()
                .contains("framing")
        );
        assert!(
            Profile::parse("name = \"x\"\nsteps = []\nbogus = 1\n")
                .unwrap_err()
                .contains("bogus")
        );
    }
}
