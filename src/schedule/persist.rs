//! The programme's state in the store: the active alerts and the rotation position, so that a
//! board restarted (or back from a power cut) shows the same alert, and resumes its rotation
//! with the item it was on, before the network is up.

use super::{AlertSet, Clock, RotationState};
use crate::store::Store;

const ALERTS: &str = "alerts";
const ROTATION: &str = "rotation";

/// Saves both (each written atomically; unchanged ones are not rewritten).
pub fn save(store: &Store, alerts: &AlertSet, rotation: &RotationState) -> Result<(), String> {
    let a = serde_json::to_vec(alerts).map_err(|e| e.to_string())?;
    let r = serde_json::to_vec(rotation).map_err(|e| e.to_string())?;
    store.put_state(ALERTS, &a).map_err(|e| e.to_string())?;
    store.put_state(ROTATION, &r).map_err(|e| e.to_string())
}

/// Loads both; anything missing or unreadable starts empty, with a warning, never an error:
/// a board must come up whatever its disk holds.
pub fn load(store: &Store, clock: &Clock) -> (AlertSet, RotationState) {
    let alerts = read(store, ALERTS)
        .map(|a: AlertSet| a.restored(clock))
        .unwrap_or_default();
    let rotation = read(store, ROTATION).unwrap_or_default();
    (alerts, rotation)
}

fn read<T: serde::de::DeserializeOwned>(store: &Store, name: &str) -> Option<T> {
    match store.state(name) {
        Ok(Some(bytes)) => match serde_json::from_slice(&bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                log::warn!("stored {name} unreadable ({e}); starting without it");
                None
            }
        },
        Ok(None) => None,
        Err(e) => {
            log::warn!("cannot read stored {name}: {e}");
            None
        }
    }
}
