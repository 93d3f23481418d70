import careerpilot


def test_public_surface() -> None:
    assert set(careerpilot.__all__) == {
        "Agent",
        "Assistant",
        "ChatModel",
        "Embedder",
        "Settings",
        "Skill",
        "__version__",
    }
    for name in careerpilot.__all__:
        assert getattr(careerpilot, name) is not None
