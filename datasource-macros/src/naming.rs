//! Option names: Spark users write `numPartitions` for the field `num_partitions`, and
//! `readAll` for the variant `ReadAll`.

/// `snake_case` to `camelCase` (`num_partitions` -> `numPartitions`).
pub fn camel_case(snake: &str) -> String {
    let mut camel = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.trim_start_matches("r#").chars() {
        if c == '_' {
            upper = !camel.is_empty();
        } else if upper {
            camel.extend(c.to_uppercase());
            upper = false;
        } else {
            camel.push(c);
        }
    }
    camel
}

/// `PascalCase` to `camelCase` (`ReadAll` -> `readAll`, `HTTPMode` -> `httpMode`): enum
/// variants as option names and choices.
pub fn lower_camel_case(pascal: &str) -> String {
    let chars: Vec<char> = pascal.trim_start_matches("r#").chars().collect();
    let mut out = String::with_capacity(chars.len());
    let mut leading = true;
    for (index, &c) in chars.iter().enumerate() {
        let next_lower = chars.get(index + 1).is_some_and(|n| n.is_lowercase());
        if leading && c.is_uppercase() && !(index > 0 && next_lower) {
            out.extend(c.to_lowercase());
        } else {
            leading = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{camel_case, lower_camel_case};

    #[test]
    fn converts_pascal_to_camel() {
        assert_eq!(lower_camel_case("Arrow"), "arrow");
        assert_eq!(lower_camel_case("ReadAll"), "readAll");
        assert_eq!(lower_camel_case("HTTPMode"), "httpMode");
        assert_eq!(lower_camel_case("X"), "x");
    }

    #[test]
    fn converts_snake_to_camel() {
        assert_eq!(camel_case("num_partitions"), "numPartitions");
        assert_eq!(camel_case("seed"), "seed");
        assert_eq!(camel_case("api_key_2"), "apiKey2");
        assert_eq!(camel_case("_private"), "private");
        assert_eq!(camel_case("r#type"), "type");
    }
}
