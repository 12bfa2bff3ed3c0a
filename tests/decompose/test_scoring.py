import pytest
from scoring import adjusted_rand_index, score_against_truth


def test_ari_matches_the_textbook_example():
    # Hubert & Arabie's index on [0,0,1,1] vs [0,0,1,2]: (1 - 2/6·1) / (1.5 - 1/3) = 4/7
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)


def test_ari_ignores_label_names_and_punishes_disagreement():
    assert adjusted_rand_index(["a", "a", "b", "b"], [7, 7, 3, 3]) == 1.0
    assert adjusted_rand_index([0, 0, 0, 0], [0, 1, 2, 3]) == 0.0
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) < 0


def test_score_leaves_ground_truth_shared_modules_out_of_the_ari():
    truth = {"modules": {"a": "x", "b": "x", "c": "y", "u": "shared"}, "shared": ["u"]}
    assert score_against_truth({"a": "s1", "b": "s1", "c": "s2", "u": "shared-kernel"}, truth) == (1.0, 1.0)
    assert score_against_truth({"a": "s1", "b": "s1", "c": "s2", "u": "s1"}, truth) == (1.0, 0.0)
