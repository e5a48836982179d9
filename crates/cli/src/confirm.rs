//! Asking before a destructive step: on a terminal, ask; elsewhere (a CI job, a pipe),
//! refuse unless `--yes` was given. The same rule for `delete` and for an `apply` that
//! deletes.

use std::io::{BufRead, IsTerminal, Read, Write};

use crate::failure::Failure;
use crate::output;

/// What to do before a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead: nothing is destroyed, or `--yes` was given.
    Proceed,
    /// Ask on the terminal.
    Ask,
    /// Stop: no one can be asked, and `--yes` was not given.
    Refuse,
}

/// The rule, apart from the process's terminal so that each case can be tested.
pub fn decide(destructive: bool, yes: bool, stdin_is_terminal: bool) -> Decision {
    match (destructive, yes, stdin_is_terminal) {
        (false, _, _) | (true, true, _) => Decision::Proceed,
        (true, false, true) => Decision::Ask,
        (true, false, false) => Decision::Refuse,
    }
}

/// Whether to go ahead with a step (destructive or not): asks `question` on a terminal;
/// without one and without `--yes`, stops with `refused` (e.g. `not deleting connector
/// wiki`). Answered "no", it is `Ok(false)`.
pub fn confirm(
    destructive: bool,
    yes: bool,
    question: &str,
    refused: &str,
) -> Result<bool, Failure> {
    match decide(destructive, yes, std::io::stdin().is_terminal()) {
        Decision::Proceed => Ok(true),
        Decision::Refuse => Err(Failure::Error(format!(
            "{refused} without --yes (stdin is not a terminal to ask on)"
        ))),
        Decision::Ask => ask(question),
    }
}

/// Asks on stderr, reads the answer from stdin: only `y` or `yes` is yes.
fn ask(question: &str) -> Result<bool, Failure> {
    let mut err = anstream::stderr();
    let _ = write!(err, "{}", output::shown(question));
    let _ = err.flush();
    let mut answer = String::new();
    // One line, and a short one: an answer, not whatever stdin holds.
    std::io::stdin()
        .lock()
        .take(256)
        .read_line(&mut answer)
        .map_err(|error| format!("cannot read the answer: {error}"))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destructive_steps_ask_on_a_terminal_and_are_refused_elsewhere_unless_yes() {
        assert_eq!(decide(true, false, true), Decision::Ask);
        assert_eq!(decide(true, false, false), Decision::Refuse);
        assert_eq!(decide(true, true, false), Decision::Proceed);
        assert_eq!(decide(true, true, true), Decision::Proceed);
        assert_eq!(decide(false, false, false), Decision::Proceed);
        assert_eq!(decide(false, false, true), Decision::Proceed);
    }
}
