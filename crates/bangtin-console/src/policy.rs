//! Who may do what, where: roles granted on areas, and the one table that says what every route
//! needs. The web layer asks [`decide`] before any handler runs; a route missing from the table
//! is not served at all. Pure: no database, no HTTP.

use bangtin_staff::fleet::area_covers;
use std::fmt;

/// A role on an area and everything inside it. Each includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Sees items, deliveries and boards.
    Viewer,
    /// Composes, edits and submits items; sends identify/reload/screenshot to boards.
    Editor,
    /// Approves, rejects and withdraws items of others.
    Approver,
    /// Everything, and the audit log.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Editor, Role::Approver, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }

    /// Whether a user with this role must log in with a one-time code too.
    pub fn needs_totp(self) -> bool {
        self >= Role::Approver
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A role granted on an area (`vn/ha-noi/dong-anh`: that district and its communes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub area: String,
    pub role: Role,
}

/// The highest role `grants` give on `area` (a grant on an area covers the areas inside it).
pub fn role_on(grants: &[Grant], area: &str) -> Option<Role> {
    grants
        .iter()
        .filter(|g| area_covers(&g.area, area))
        .map(|g| g.role)
        .max()
}

/// The highest role held anywhere (what decides the one-time code and the menu).
pub fn highest(grants: &[Grant]) -> Option<Role> {
    grants.iter().map(|g| g.role).max()
}

/// Whether a grant on `area` exists that covers anything at all at `role` or above: the pages
/// that list things (filtered to the user's areas) need only that.
pub fn has_any(grants: &[Grant], role: Role) -> bool {
    grants.iter().any(|g| g.role >= role)
}

/// Where a route's resource lives, found from the request before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Open to anyone (login page, style sheet).
    Public,
    /// Any logged-in user; what it lists is filtered to the user's areas.
    LoggedIn,
    /// The area named by the query parameter `area`.
    AreaParam,
    /// The area of the item in the path (`/items/{id}/…`).
    Item,
    /// The area of the board in the path (`/boards/{id}/…`), from its status.
    Board,
    /// The area of the alert in the path (`/alerts/{id}/…`).
    Alert,
    /// The area of the API token in the path (`/tokens/{id}/…`).
    Token,
    /// A list filtered to the user's areas, open to those with the role somewhere.
    Anywhere,
}

/// One row of the route table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    /// The path with `{id}` for one segment and `*` for the rest.
    pub path: &'static str,
    pub scope: Scope,
    pub role: Role,
}

const fn rule(method: &'static str, path: &'static str, scope: Scope, role: Role) -> Rule {
    Rule {
        method,
        path,
        scope,
        role,
    }
}

/// Every route the console serves, and what it needs. The web layer refuses anything else.
pub const RULES: &[Rule] = &[
    rule("GET", "/login", Scope::Public, Role::Viewer),
    rule("POST", "/login", Scope::Public, Role::Viewer),
    rule("GET", "/static/*", Scope::Public, Role::Viewer),
    rule("GET", "/healthz", Scope::Public, Role::Viewer),
    rule("POST", "/logout", Scope::LoggedIn, Role::Viewer),
    rule("POST", "/account/lang", Scope::LoggedIn, Role::Viewer),
    rule("GET", "/", Scope::LoggedIn, Role::Viewer),
    rule("GET", "/boards", Scope::LoggedIn, Role::Viewer),
    rule("GET", "/items/new", Scope::Anywhere, Role::Editor),
    rule("POST", "/items", Scope::AreaParam, Role::Editor),
    rule("GET", "/items/{id}", Scope::Item, Role::Viewer),
    rule("GET", "/items/{id}/preview.png", Scope::Item, Role::Viewer),
    rule("GET", "/items/{id}/events", Scope::Item, Role::Viewer),
    rule("GET", "/items/{id}/edit", Scope::Item, Role::Editor),
    rule("POST", "/items/{id}/edit", Scope::Item, Role::Editor),
    rule("POST", "/items/{id}/submit", Scope::Item, Role::Editor),
    rule("POST", "/items/{id}/approve", Scope::Item, Role::Approver),
    rule("POST", "/items/{id}/reject", Scope::Item, Role::Approver),
    rule("POST", "/items/{id}/withdraw", Scope::Item, Role::Approver),
    rule("GET", "/boards/bulk", Scope::AreaParam, Role::Editor),
    rule("POST", "/boards/bulk", Scope::AreaParam, Role::Editor),
    rule("GET", "/boards/{id}", Scope::Board, Role::Viewer),
    rule("POST", "/boards/{id}/command", Scope::Board, Role::Editor),
    rule("GET", "/reports", Scope::Anywhere, Role::Viewer),
    rule("GET", "/report", Scope::AreaParam, Role::Viewer),
    rule("GET", "/report.csv", Scope::AreaParam, Role::Viewer),
    rule("GET", "/report.svg", Scope::AreaParam, Role::Viewer),
    // Alerts: the alert right is the approver's. Drill and live are separate pages.
    rule("GET", "/alerts", Scope::Anywhere, Role::Viewer),
    rule("GET", "/alerts/drill", Scope::Anywhere, Role::Approver),
    rule("GET", "/alerts/live", Scope::Anywhere, Role::Approver),
    rule("POST", "/alerts/drill", Scope::AreaParam, Role::Approver),
    rule("POST", "/alerts/live", Scope::AreaParam, Role::Approver),
    rule("GET", "/alerts/{id}", Scope::Alert, Role::Viewer),
    rule(
        "GET",
        "/alerts/{id}/preview.png",
        Scope::Alert,
        Role::Viewer,
    ),
    rule("GET", "/alerts/{id}/events", Scope::Alert, Role::Viewer),
    rule("POST", "/alerts/{id}/confirm", Scope::Alert, Role::Approver),
    rule("POST", "/alerts/{id}/discard", Scope::Alert, Role::Approver),
    rule("POST", "/alerts/{id}/cancel", Scope::Alert, Role::Approver),
    rule("GET", "/alerts/{id}/correct", Scope::Alert, Role::Approver),
    rule("POST", "/alerts/{id}/correct", Scope::Alert, Role::Approver),
    rule("GET", "/alert-templates", Scope::Anywhere, Role::Admin),
    rule(
        "POST",
        "/alert-templates/{id}",
        Scope::Anywhere,
        Role::Admin,
    ),
    // API tokens (admins), and the API itself: a token's role is its right (viewer: read,
    // editor: submit into the queue, approver: publish).
    rule("GET", "/tokens", Scope::Anywhere, Role::Admin),
    rule("POST", "/tokens", Scope::AreaParam, Role::Admin),
    rule("POST", "/tokens/{id}/revoke", Scope::Token, Role::Admin),
    rule("GET", "/api/v1/openapi.json", Scope::Public, Role::Viewer),
    rule("POST", "/api/v1/items", Scope::AreaParam, Role::Editor),
    rule("GET", "/api/v1/items", Scope::AreaParam, Role::Viewer),
    rule("GET", "/api/v1/items/{id}", Scope::Item, Role::Viewer),
    rule(
        "POST",
        "/api/v1/items/{id}/withdraw",
        Scope::Item,
        Role::Approver,
    ),
    rule("GET", "/api/v1/boards", Scope::AreaParam, Role::Viewer),
    rule("GET", "/api/v1/plays", Scope::AreaParam, Role::Viewer),
    rule("POST", "/api/v1/cap", Scope::AreaParam, Role::Editor),
    rule("GET", "/api/v1/alerts/{id}", Scope::Alert, Role::Viewer),
    rule("GET", "/audit", Scope::Anywhere, Role::Admin),
    rule("GET", "/audit.csv", Scope::Anywhere, Role::Admin),
];

/// The rule for a request, and the `{id}` segment of its path if it has one.
pub fn find(method: &str, path: &str) -> Option<(&'static Rule, Option<String>)> {
    let method = if method == "HEAD" { "GET" } else { method };
    RULES
        .iter()
        .filter(|r| r.method == method)
        .find_map(|r| matches(r.path, path).map(|id| (r, id)))
}

fn matches(pattern: &str, path: &str) -> Option<Option<String>> {
    if let Some(prefix) = pattern.strip_suffix('*') {
        let rest = path.strip_prefix(prefix)?;
        // No climbing out of the folder, no hidden files.
        return (!rest.is_empty() && !rest.contains("..") && !rest.starts_with('.'))
            .then_some(None);
    }
    let (mut p, mut q) = (pattern.split('/'), path.split('/'));
    let mut id = None;
    loop {
        match (p.next(), q.next()) {
            (None, None) => return Some(id),
            // An id is taken as written: no percent-encoding, so the guard and the handler
            // can never read two different ids from one path.
            (Some("{id}"), Some(seg)) if !seg.is_empty() && !seg.contains('%') => {
                id = Some(seg.to_owned())
            }
            (Some(a), Some(b)) if a == b => {}
            _ => return None,
        }
    }
}

/// What the web layer does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not logged in: to the login page.
    Login,
    /// Logged in, but the role is missing where the resource is, or the resource is not in the
    /// user's areas, or does not exist: the same answer for all three (nothing is revealed).
    NotFound,
}

/// The one authorization check. `area` is where the resource lives (`None`: it does not exist
/// or has no area); `grants` is `None` when nobody is logged in.
pub fn decide(rule: &Rule, grants: Option<&[Grant]>, area: Option<&str>) -> Decision {
    if rule.scope == Scope::Public {
        return Decision::Allow;
    }
    let Some(grants) = grants else {
        return Decision::Login;
    };
    let allowed = match rule.scope {
        Scope::Public => true,
        Scope::LoggedIn => true,
        Scope::Anywhere => has_any(grants, rule.role),
        Scope::AreaParam | Scope::Item | Scope::Board | Scope::Alert | Scope::Token => {
            area.and_then(|a| role_on(grants, a)) >= Some(rule.role)
        }
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::NotFound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(area: &str, role: Role) -> Grant {
        Grant {
            area: area.into(),
            role,
        }
    }

    #[test]
    fn a_grant_covers_its_area_and_what_is_inside_only() {
        let grants = [g("vn/ha-noi/dong-anh", Role::Editor)];
        assert_eq!(
            role_on(&grants, "vn/ha-noi/dong-anh/xa-uy-no"),
            Some(Role::Editor)
        );
        assert_eq!(role_on(&grants, "vn/ha-noi/dong-anh"), Some(Role::Editor));
        assert_eq!(role_on(&grants, "vn/ha-noi"), None);
        assert_eq!(role_on(&grants, "vn/ha-noi/dong-anh-2"), None);
        assert_eq!(role_on(&grants, "vn/ha-noi/soc-son"), None);
    }

    #[test]
    fn the_highest_of_several_grants_counts() {
        let grants = [
            g("vn/ha-noi", Role::Viewer),
            g("vn/ha-noi/dong-anh", Role::Approver),
        ];
        assert_eq!(
            role_on(&grants, "vn/ha-noi/dong-anh/x"),
            Some(Role::Approver)
        );
        assert_eq!(role_on(&grants, "vn/ha-noi/soc-son"), Some(Role::Viewer));
    }

    #[test]
    fn every_route_is_in_the_table_and_ids_are_taken_from_the_path() {
        let (r, id) = find("POST", "/items/42/approve").unwrap();
        assert_eq!((r.role, id.as_deref()), (Role::Approver, Some("42")));
        assert!(find("POST", "/items/42/approve/x").is_none());
        assert!(find("DELETE", "/items/42").is_none());
        assert!(find("GET", "/items//edit").is_none());
        assert!(find("POST", "/boards/b%31/command").is_none());
        assert!(find("GET", "/static/../console.db").is_none());
        assert!(find("GET", "/static/.env").is_none());
        assert!(find("GET", "/static/app.css").is_some());
        assert_eq!(find("HEAD", "/").unwrap().0.path, "/");
    }

    #[test]
    fn outside_the_area_or_below_the_role_is_not_found() {
        let (rule, _) = find("POST", "/items/1/approve").unwrap();
        let editor = [g("vn/a", Role::Editor)];
        let approver = [g("vn/a", Role::Approver)];
        assert_eq!(decide(rule, None, Some("vn/a")), Decision::Login);
        assert_eq!(
            decide(rule, Some(&editor), Some("vn/a")),
            Decision::NotFound
        );
        assert_eq!(
            decide(rule, Some(&approver), Some("vn/a/x")),
            Decision::Allow
        );
        assert_eq!(
            decide(rule, Some(&approver), Some("vn/b")),
            Decision::NotFound
        );
        assert_eq!(decide(rule, Some(&approver), None), Decision::NotFound);
        let (audit, _) = find("GET", "/audit").unwrap();
        assert_eq!(decide(audit, Some(&approver), None), Decision::NotFound);
        let admin = [g("vn/b", Role::Admin)];
        assert_eq!(decide(audit, Some(&admin), None), Decision::Allow);
    }
}
