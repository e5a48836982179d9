//! Secrets on the command line: the file, stdin and environment forms work quietly; the
//! flag forms work, with a warning that `ps` shows them.

use super::setup::{KEY, Setup, TOKEN, binary, code, stderr, stdout};

const CREATE: [&str; 6] = [
    "create",
    "--name",
    "Wiki",
    "--url",
    "https://wiki.example.com/search",
    "--service-auth",
];

#[test]
fn a_key_or_token_on_the_command_line_is_used_with_a_warning() {
    let setup = Setup::new(1);
    let listed = binary()
        .env("CO_API_URL", setup.emulator.base_url())
        .args(["list", "--api-key", KEY])
        .output()
        .unwrap();
    assert_eq!(code(&listed), 0, "{}", stderr(&listed));
    assert_eq!(
        stderr(&listed),
        "warning: --api-key puts the API key on the command line, where `ps` shows it to other users and shell history keeps it: prefer CO_API_KEY, --api-key-file or --api-key-stdin\n"
    );
    let created = setup
        .cli()
        .args(CREATE)
        .args(["bearer", "--service-token", TOKEN])
        .output()
        .unwrap();
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    assert!(
        stderr(&created)
            .starts_with("warning: --service-token puts the service token on the command line"),
        "{}",
        stderr(&created)
    );
    assert!(!stderr(&created).contains(TOKEN) && !stdout(&created).contains(TOKEN));
}

#[test]
fn files_stdin_and_variables_give_secrets_without_a_warning() {
    let setup = Setup::new(1);
    let key_file = setup.file("key", &format!("{KEY}\n"));
    let from_file = binary()
        .env("CO_API_URL", setup.emulator.base_url())
        .args(["list", "--api-key-file", key_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!((code(&from_file), stderr(&from_file).as_str()), (0, ""));
    let from_stdin = binary()
        .env("CO_API_URL", setup.emulator.base_url())
        .args(["list", "--api-key-stdin"])
        .write_stdin(format!("{KEY}\n"))
        .output()
        .unwrap();
    assert_eq!((code(&from_stdin), stderr(&from_stdin).as_str()), (0, ""));

    let from_variable = setup
        .cli()
        .args(CREATE)
        .args(["bearer", "--service-token-env", "WIKI_TOKEN", "--json"])
        .env("WIKI_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(code(&from_variable), 0, "{}", stderr(&from_variable));
    assert_eq!(stderr(&from_variable), "");
    let unset = setup
        .cli()
        .args(CREATE)
        .args(["bearer", "--service-token-env", "NOT_SET_ANYWHERE_0"])
        .output()
        .unwrap();
    assert_eq!(code(&unset), 1);
    assert_eq!(
        stderr(&unset),
        "error: cannot read the service token: environment variable NOT_SET_ANYWHERE_0 is not set\n"
    );
    // A directory is not a secret file; the message names the path, never a value.
    let directory = setup
        .cli()
        .args(CREATE)
        .args([
            "bearer",
            "--service-token-file",
            setup.dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&directory), 1);
    assert!(
        stderr(&directory).starts_with("error: cannot read the service token: "),
        "{}",
        stderr(&directory)
    );
    let without_token = setup.cli().args(CREATE).arg("bearer").output().unwrap();
    assert_eq!(code(&without_token), 64, "{}", stderr(&without_token));
}
