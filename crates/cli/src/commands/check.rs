//! `check`: a connector service, checked as Cohere's registration checks it.

use std::process::ExitCode;
use std::time::Duration;

use cohere_connectors_kit::{Checker, SearchAuth};

use super::exit_after_printing;
use crate::args::CheckArgs;
use crate::failure::Outcome;
use crate::output::{Layout, Stdout, render};
use crate::secrets;
use crate::words::in_cli_words;

pub async fn check(args: CheckArgs) -> Outcome {
    let auth = if let Some(path) = &args.user_token_file {
        SearchAuth::user_token(secrets::from_file(path, "user token")?)
    } else {
        secrets::service_auth(&args.service)?.into()
    };
    let mut report = Checker::new(args.url)
        .auth(auth)
        .query(args.query)
        .timeout(Duration::from_secs(args.timeout))
        .run()
        .await;
    for finding in &mut report.findings {
        finding.message = in_cli_words(&finding.message).into_owned();
        finding.fix = in_cli_words(&finding.fix).into_owned();
    }
    let code = if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    let mut out = Stdout::new();
    let printed = if args.output.json {
        out.json(&report, Layout::Pretty)
    } else {
        render::check_report(&report)
            .into_iter()
            .try_for_each(|(style, line)| out.styled(style, &line))
    };
    exit_after_printing(code, printed)
}
