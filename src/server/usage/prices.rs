//! The price table: what a million input and output tokens of each model cost, for
//! budgets and usage in money. Cost is kept in millionths of the currency, so a price
//! per million tokens is exactly a price per token in those units.

use std::collections::BTreeMap;

use super::runs::ModelTokens;

/// Matches any model the table does not name.
pub const ANY_MODEL: &str = "*";

/// A model's prices per million tokens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    pub input: f64,
    pub output: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Prices {
    pub currency: String,
    models: BTreeMap<String, Price>,
}

impl Default for Prices {
    fn default() -> Self {
        Self {
            currency: "USD".into(),
            models: BTreeMap::new(),
        }
    }
}

impl Prices {
    pub fn new(currency: String, models: BTreeMap<String, Price>) -> Self {
        Self { currency, models }
    }

    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    fn price(&self, model: &str) -> Option<Price> {
        self.models
            .get(model)
            .or_else(|| self.models.get(ANY_MODEL))
            .copied()
    }

    /// The estimated cost of one model's tokens, in millionths of the currency; a model the
    /// table does not price costs nothing.
    pub fn cost(&self, m: &ModelTokens) -> u64 {
        self.price(&m.model).map_or(0, |p| {
            (m.input as f64 * p.input + m.output as f64 * p.output).round() as u64
        })
    }

    pub fn cost_of(&self, models: &[ModelTokens]) -> u64 {
        models.iter().map(|m| self.cost(m)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(model: &str, input: u64, output: u64) -> ModelTokens {
        ModelTokens {
            model: model.into(),
            provider: String::new(),
            input,
            output,
        }
    }

    #[test]
    fn cost_is_priced_per_million_tokens_with_a_fallback() {
        let mut models = BTreeMap::new();
        models.insert(
            "scripted-1".to_owned(),
            Price {
                input: 0.5,
                output: 1.5,
            },
        );
        let p = Prices::new("EUR".into(), models.clone());
        // 16 input and 3 output tokens: 8 + 4.5 millionths.
        assert_eq!(p.cost(&tokens("scripted-1", 16, 3)), 13);
        assert_eq!(p.cost(&tokens("other", 1_000_000, 0)), 0);

        models.insert(
            ANY_MODEL.to_owned(),
            Price {
                input: 2.0,
                output: 8.0,
            },
        );
        let p = Prices::new("EUR".into(), models);
        assert_eq!(
            p.cost_of(&[
                tokens("scripted-1", 2_000_000, 0),
                tokens("other", 0, 1_000)
            ]),
            1_000_000 + 8_000
        );
    }
}
