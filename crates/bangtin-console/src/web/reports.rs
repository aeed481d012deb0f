//! Proof-of-play reports: an area over a period, per item and board (times shown, time on
//! screen), with a chart (an SVG image of its own: no markup is ever pasted into a page), as
//! CSV, and printable on A4 for the monthly report to the district.

use super::pages::{internal, layout, page, Layout};
use super::Ctx;
use crate::i18n::t;
use crate::policy::{self, Role};
use crate::{plays, App};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use bangtin_staff::report::{self, Line};
use chrono::{DateTime, Datelike, FixedOffset};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One line as the page shows it.
pub struct ReportRow {
    pub board: String,
    pub title: String,
    pub times: u64,
    pub on_screen: String,
    pub first: String,
    pub last: String,
    pub trusted: bool,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    l: Layout,
    /// Empty: choose an area first.
    area: String,
    areas: Vec<String>,
    from: String,
    to: String,
    /// Lines per item and board, at most [`PAGE_LINES`] (the CSV has them all).
    rows: Vec<ReportRow>,
    /// How many lines there are in all.
    all_rows: usize,
    /// Per item: title, boards, times shown, time on screen.
    items: Vec<(String, usize, u64, String)>,
    total_times: u64,
    total_on_screen: String,
    boards: usize,
    /// Each board's hours online in the period and the percentage of the period, the least
    /// online first, at most [`PAGE_LINES`].
    uptime: Vec<(String, String, u32)>,
    all_uptime: usize,
}

/// Lines a report page lists at most in each table (a district of 2,000 boards has 12,000
/// item-and-board lines a month: the CSV has them all, the page sums them per item).
const PAGE_LINES: usize = 300;

#[derive(Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    area: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The period asked for, by default this month so far: `[from, to)` and the dates as typed.
fn period(
    q: &ReportQuery,
) -> Result<(DateTime<FixedOffset>, DateTime<FixedOffset>, String, String), String> {
    let today = bangtin_staff::board_now().date_naive();
    let first = today.with_day(1).unwrap_or(today);
    let from = if q.from.trim().is_empty() {
        first.to_string()
    } else {
        q.from.trim().to_owned()
    };
    let to = if q.to.trim().is_empty() {
        today.to_string()
    } else {
        q.to.trim().to_owned()
    };
    let (f, t) = (
        report::parse_bound(&from, false)?,
        report::parse_bound(&to, true)?,
    );
    if t <= f {
        return Err("the end is before the start".into());
    }
    Ok((f, t, from, to))
}

/// Titles of the items of the area, by protocol id (what plays name).
fn titles(app: &App, area: &str) -> BTreeMap<String, String> {
    let (filter, args) = super::pages::area_filter(
        &[policy::Grant {
            area: area.to_owned(),
            role: Role::Viewer,
        }],
        Role::Viewer,
    );
    let sql = format!("SELECT item_id, draft FROM items WHERE {filter}");
    let conn = app.db.lock();
    let Ok(mut st) = conn.prepare(&sql) else {
        return BTreeMap::new();
    };
    st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })
    .map(|rows| {
        rows.filter_map(Result::ok)
            .filter_map(|(id, draft)| {
                let item = serde_json::from_str(&draft).ok()?;
                Some((id, super::pages::item_title(&item)))
            })
            .collect()
    })
    .unwrap_or_default()
}

fn when(t: DateTime<FixedOffset>) -> String {
    super::pages::local(t.timestamp())
}

/// The areas a user may report on: their grants.
fn report_areas(ctx: &Ctx) -> Vec<String> {
    let mut areas: Vec<String> = ctx.user().grants.iter().map(|g| g.area.clone()).collect();
    areas.sort();
    areas.dedup();
    areas
}

/// The choice of area (the route without one).
pub async fn reports(State(app): State<Arc<App>>, Extension(ctx): Extension<Ctx>) -> Response {
    page(
        &ReportPage {
            l: layout(&app, &ctx, "Báo cáo"),
            area: String::new(),
            areas: report_areas(&ctx),
            from: String::new(),
            to: String::new(),
            rows: Vec::new(),
            total_times: 0,
            total_on_screen: String::new(),
            boards: 0,
            uptime: Vec::new(),
            all_uptime: 0,
            all_rows: 0,
            items: Vec::new(),
        },
        StatusCode::OK,
    )
}

/// The report's lines and its dates, or the answer that says why there is none.
fn lines_for(app: &App, q: &ReportQuery) -> Result<(Vec<Line>, String, String), Box<Response>> {
    let (from, to, f, t) =
        period(q).map_err(|e| Box::new((StatusCode::BAD_REQUEST, e).into_response()))?;
    let lines =
        plays::lines(&app.db, &q.area, from, to).map_err(|e| Box::new(internal(&e.to_string())))?;
    Ok((lines, f, t))
}

pub async fn report(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let (lines, from, to) = match lines_for(&app, &q) {
        Ok(x) => x,
        Err(res) => return *res,
    };
    let titles = titles(&app, &q.area);
    let mut uptime = match period(&q).map(|(f, t, ..)| plays::uptime(&app.db, &q.area, f, t)) {
        Ok(Ok(u)) => u
            .into_iter()
            .map(|(board, hours, share)| {
                (
                    board,
                    format!("{hours:.1} h"),
                    (share * 100.0).round().clamp(0.0, 100.0) as u32,
                )
            })
            .collect(),
        Ok(Err(e)) => return internal(&e.to_string()),
        Err(_) => Vec::new(),
    };
    let total: f64 = lines.iter().map(|l| l.seconds_on_screen).sum();
    let boards = lines
        .iter()
        .map(|l| &l.board)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    // Per item: its boards, times and time on screen, the most shown first.
    let mut per_item: BTreeMap<&str, (std::collections::BTreeSet<&str>, u64, f64)> =
        BTreeMap::new();
    for l in &lines {
        let e = per_item.entry(l.item.as_str()).or_default();
        e.0.insert(l.board.as_str());
        e.1 += l.times_shown;
        e.2 += l.seconds_on_screen;
    }
    let mut items: Vec<_> = per_item.into_iter().collect();
    items.sort_by(|a, b| b.1 .2.total_cmp(&a.1 .2));
    let items = items
        .into_iter()
        .map(|(item, (boards, times, secs))| {
            let title = titles.get(item).cloned().unwrap_or_else(|| item.to_owned());
            (title, boards.len(), times, plays::duration(secs))
        })
        .collect();
    let all_uptime = uptime.len();
    uptime.sort_by_key(|u| u.2);
    uptime.truncate(PAGE_LINES);
    let all_rows = lines.len();
    let rows = lines
        .iter()
        .take(PAGE_LINES)
        .map(|l| ReportRow {
            board: l.board.clone(),
            title: titles
                .get(&l.item)
                .cloned()
                .unwrap_or_else(|| l.item.clone()),
            times: l.times_shown,
            on_screen: plays::duration(l.seconds_on_screen),
            first: when(l.first_shown),
            last: when(l.last_shown),
            trusted: l.clock_trusted,
        })
        .collect();
    page(
        &ReportPage {
            l: layout(&app, &ctx, t(ctx.lang, "Báo cáo")),
            areas: Vec::new(),
            total_times: lines.iter().map(|l| l.times_shown).sum(),
            total_on_screen: plays::duration(total),
            boards,
            rows,
            all_rows,
            items,
            uptime,
            all_uptime,
            area: q.area,
            from,
            to,
        },
        StatusCode::OK,
    )
}

pub async fn report_csv(State(app): State<Arc<App>>, Query(q): Query<ReportQuery>) -> Response {
    match lines_for(&app, &q) {
        Ok((lines, from, to)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"bao-cao-{from}-{to}.csv\""),
                ),
            ],
            report::csv(&lines),
        )
            .into_response(),
        Err(res) => *res,
    }
}

pub async fn report_svg(State(app): State<Arc<App>>, Query(q): Query<ReportQuery>) -> Response {
    match lines_for(&app, &q) {
        Ok((lines, ..)) => (
            [(header::CONTENT_TYPE, "image/svg+xml")],
            plays::chart(&lines, 15),
        )
            .into_response(),
        Err(res) => *res,
    }
}
