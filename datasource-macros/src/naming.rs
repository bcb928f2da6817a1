//! Option names: Spark users write `numPartitions` for the field `num_partitions`.

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

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn converts_snake_to_camel() {
        assert_eq!(camel_case("num_partitions"), "numPartitions");
        assert_eq!(camel_case("seed"), "seed");
        assert_eq!(camel_case("api_key_2"), "apiKey2");
        assert_eq!(camel_case("_private"), "private");
        assert_eq!(camel_case("r#type"), "type");
    }
}
