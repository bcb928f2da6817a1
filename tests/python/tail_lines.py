"""JSON lines for `tail` to follow, and where each one starts: shared by the streaming tests."""


def append(path, text):
    with open(path, "a", encoding="utf-8") as file:
        file.write(text)


def lines(prefix, first, count):
    return "".join(f'{{"n": {i}, "src": "{prefix}"}}\n' for i in range(first, first + count))


def starts(file, text):
    """(file, byte position, line) of each line of `text`."""
    found, position = [], 0
    for line in text.splitlines(keepends=True):
        found.append((file, position, line.rstrip("\n")))
        position += len(line.encode())
    return found
