//! An order, its items and its status, with the rules of what may change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most items in one order.
pub(crate) const MAX_ITEMS: usize = 100;
/// Most units of one item.
pub(crate) const MAX_QUANTITY: u32 = 1_000;
/// Longest SKU, in characters.
pub(crate) const MAX_SKU_CHARS: usize = 64;

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    /// Stock is reserved; the payment has not been settled.
    Pending,
    /// The payment completed.
    Paid,
    /// The payment failed.
    Cancelled,
}

impl OrderStatus {
    /// The status as stored and sent.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a stored status.
    #[must_use]
    pub(crate) fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Paid, Self::Cancelled].into_iter().find(|s| s.as_str() == text)
    }
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderItem {
    /// The stock-keeping unit, such as `ABC-1`.
    pub sku: String,
    /// How many units.
    pub quantity: u32,
}

impl OrderItem {
    /// What is wrong with this item, if anything, as (field, message).
    #[must_use]
    pub(crate) fn problem(&self) -> Option<(&'static str, String)> {
        let sku_ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if self.sku.is_empty() || self.sku.chars().count() > MAX_SKU_CHARS {
            return Some(("sku", format!("must have 1 to {MAX_SKU_CHARS} characters")));
        }
        if !self.sku.chars().all(sku_ok) {
            return Some(("sku", "may contain only letters, digits, `-` and `_`".to_owned()));
        }
        if self.quantity == 0 || self.quantity > MAX_QUANTITY {
            return Some(("quantity", format!("must be between 1 and {MAX_QUANTITY}")));
        }
        None
    }
}

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    /// Its id (a version 7 UUID, so ids sort by creation time).
    pub id: Uuid,
    /// The user who placed it; only they can see it over HTTP.
    #[serde(skip)]
    pub(crate) owner_id: Uuid,
    /// Where it stands.
    pub(crate) status: OrderStatus,
    /// What was ordered.
    pub(crate) items: Vec<OrderItem>,
    /// When it was placed.
    pub(crate) created_at: DateTime<Utc>,
}

impl Order {
    /// A new pending order for `owner_id`.
    #[must_use]
    pub fn new(owner_id: Uuid, items: Vec<OrderItem>) -> Self {
        Self {
            id: Uuid::now_v7(),
            owner_id,
            status: OrderStatus::Pending,
            items,
            created_at: Utc::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{OrderItem, OrderStatus};

    fn item(sku: &str, quantity: u32) -> OrderItem {
        OrderItem { sku: sku.to_owned(), quantity }
    }

    #[test]
    fn items_are_checked() {
        assert_eq!(item("ABC-1", 2).problem(), None);
        assert_eq!(item("", 2).problem().map(|p| p.0), Some("sku"));
        assert_eq!(item("a b", 2).problem().map(|p| p.0), Some("sku"));
        assert_eq!(item(&"x".repeat(65), 2).problem().map(|p| p.0), Some("sku"));
        assert_eq!(item("ABC-1", 0).problem().map(|p| p.0), Some("quantity"));
        assert_eq!(item("ABC-1", 1_001).problem().map(|p| p.0), Some("quantity"));
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for status in [OrderStatus::Pending, OrderStatus::Paid, OrderStatus::Cancelled] {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::parse("shipped"), None);
    }
}
