//! The IAM policy document itself, in the canonical pretty JSON.

use crate::policy::PolicyDocument;

pub fn render(doc: &PolicyDocument) -> String {
    doc.to_json()
}
