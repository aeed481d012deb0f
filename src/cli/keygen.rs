//! `bangtin keygen`: a staff signing key pair.

use super::Failure;
use bangtin_protocol::ids::{is_valid_id, ID_RULE};
use bangtin_staff::keys;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// Writes OUT.key and OUT.pub; OUT's file name becomes the key id.
    #[arg(long, value_name = "NAME")]
    pub out: PathBuf,
}

pub fn run(args: &KeygenArgs) -> Result<(), Failure> {
    let name = args
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !is_valid_id(&name) {
        return Err(Failure::BadInput(vec![format!(
            "the key name {name:?} becomes the key id boards know it by: it {ID_RULE}"
        )]));
    }
    let public = keys::keygen(&args.out).map_err(|e| match e {
        keys::Error::Exists(_) => Failure::BadInput(vec![e.to_string()]),
        other => Failure::Runtime(other.into()),
    })?;
    println!(
        "wrote {0}.key (secret: keep it safe) and {0}.pub",
        args.out.display()
    );
    println!("for boards' config:\n\n[[trust]]\nkey = \"{name}\"\npublic = \"{public}\"\nscopes = [\"vn/...\"]\nalerts = false");
    Ok(())
}
