//! Validation problems, each tied to the JSON path where it was found.
//!
//! Validation never stops at the first problem: an officer fixing a channel file wants the
//! whole list at once ("items[2].duration_s must be 3..=600, got 0").

use std::fmt;

/// One thing wrong with a document, at a JSON path such as `items[2].duration_s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted JSON path; empty for the document as a whole.
    pub path: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} {}", self.path, self.message)
        }
    }
}

/// Every problem found in one document. Never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter()
    }

    pub fn extend(&mut self, other: Problems) {
        self.0.extend(other.0);
    }

    /// `Ok(value)` if nothing was found, else every problem.
    pub fn into_result<T>(self, value: T) -> Result<T, Problems> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Joins a parent path and a field name: `join("items[2]", "title") == "items[2].title"`.
pub fn join(parent: &str, field: &str) -> String {
    if field.is_empty() {
        parent.to_owned()
    } else if parent.is_empty() {
        field.to_owned()
    } else {
        format!("{parent}.{field}")
    }
}

/// `index("items", 2) == "items[2]"`.
pub fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}
