//! Commands to one board, their arguments checked as they are parsed.

use super::*;

/// Validates a command object found at `path`.
pub fn command_from_value(value: &Value, path: &str) -> Result<Command, Problems> {
    let mut problems = Problems::default();
    let Some(obj) = as_object(value, path, &mut problems) else {
        return Err(problems);
    };
    let id = req_id(obj, path, "id", &mut problems);
    let name = req_raw_str(obj, path, "action", &mut problems);
    if let Some(s) = name.filter(|s| !Action::NAMES.contains(s)) {
        problems.push(
            join(path, "action"),
            format!("must be one of screenshot, reload, identify, set_brightness, got {s:?}"),
        );
    }
    let empty = Map::new();
    let args = match obj.get("args") {
        None | Some(Value::Null) => Some(&empty),
        Some(Value::Object(m)) => Some(m),
        Some(other) => {
            problems.push(
                join(path, "args"),
                format!("must be an object, got {}", describe(other)),
            );
            None
        }
    };
    let action = match (name, args) {
        (Some(name), Some(args)) => match action_args(name, args) {
            Ok(action) => action,
            Err(e) => {
                problems.push(join(path, "args"), e);
                None
            }
        },
        _ => None,
    };
    match (id, action) {
        (Some(id), Some(action)) if problems.is_empty() => Ok(Command { id, action }),
        _ => Err(problems),
    }
}

/// The action `name` with its arguments checked ("parse, don't validate": a board never sees
/// an unchecked argument). `None` for an unknown name (reported by the caller).
pub fn action_args(name: &str, args: &Obj) -> Result<Option<Action>, String> {
    let only = |allowed: &[&str]| match args.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) if allowed.is_empty() => Err(format!("{name} takes no arguments, got {k:?}")),
        Some(k) => Err(format!("{name} takes {}, not {k:?}", allowed.join(" and "))),
        None => Ok(()),
    };
    Ok(Some(match name {
        "screenshot" => {
            only(&[])?;
            Action::Screenshot
        }
        "reload" => {
            only(&[])?;
            Action::Reload
        }
        "identify" => {
            only(&["seconds"])?;
            let seconds = match args.get("seconds") {
                None | Some(Value::Null) => limits::IDENTIFY_DEFAULT_S,
                Some(v) => v
                    .as_u64()
                    .filter(|s| limits::IDENTIFY_S.contains(s))
                    .ok_or_else(|| format!("seconds must be 1..=600, got {}", compact(v)))?,
            };
            Action::Identify { seconds }
        }
        "set_brightness" => {
            only(&["level", "minutes"])?;
            let level = match args.get("level") {
                None => {
                    return Err(
                        "set_brightness needs level (a percentage 0..=100, or null for the \
                         schedule)"
                            .into(),
                    )
                }
                Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_u64()
                        .filter(|p| *p <= 100)
                        .map(|p| p as u32)
                        .ok_or_else(|| {
                            format!(
                                "level must be a percentage 0..=100 or null, got {}",
                                compact(v)
                            )
                        })?,
                ),
            };
            let minutes = match args.get("minutes") {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_u64()
                        .filter(|m| limits::BRIGHTNESS_MINUTES.contains(m))
                        .ok_or_else(|| format!("minutes must be 1..=1440, got {}", compact(v)))?,
                ),
            };
            // Never black: a board at 0% looks broken (and is, to a citizen).
            let level = level.map(|l| l.max(limits::MIN_BRIGHTNESS));
            Action::SetBrightness { level, minutes }
        }
        _ => return Ok(None),
    }))
}
