"""Every shipped manifest validates; invalid ones fail naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from course_utils.data import ManifestError, list_datasets, load_manifest
from course_utils.data.manifest import parse_manifest_file

EXPECTED = {"cifar10", "common_voice", "fleurs", "fsdd", "mini_librispeech",
            "mini_speech_commands", "tiny_shakespeare"}


def test_all_course_datasets_have_a_manifest():
    assert EXPECTED <= set(list_datasets())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_manifest_validates(name):
    manifest = load_manifest(name)
    assert manifest.name == name
    assert manifest.files and manifest.synthetic_generator
    for spec in manifest.files:
        assert spec.checksum is None or spec.checksum.split(":")[0] in {"sha256", "md5"}


def test_known_facts_carried_over():
    fsdd = load_manifest("fsdd").files[0]
    assert fsdd.size == 15_602_882
    assert fsdd.checksum == "sha256:feb479fad3a37883c3d21ed7f982281c2dd1c18d5aefd7e8a5d50f58023392aa"
    assert load_manifest("cifar10").files[0].size == 170_498_071
    assert load_manifest("mini_speech_commands").files[0].size == 182_082_353
    assert load_manifest("mini_librispeech").files[0].checksum.startswith("md5:6d7ab67a")
    fleurs = load_manifest("fleurs")
    langs = {spec.target.split("/")[0] for spec in fleurs.files}
    assert langs == {"es_419", "fr_fr", "en_us", "ja_jp"}
    assert load_manifest("common_voice").files[0].sources == ()


def _good() -> dict:
    return yaml.safe_load((Path(__file__).parents[1] / "data_manifests" / "fsdd.yaml").read_text())


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda m: m.pop("license"), "license"),
        (lambda m: m["files"][0].update(checksum="sha1:abc"), "files[0].checksum"),
        (lambda m: m["files"][0].update(checksum="sha256:1234"), "files[0].checksum"),
        (lambda m: m["files"][0].update(size=-3), "files[0].size"),
        (lambda m: m["files"][0].update(extract="rar"), "files[0].extract"),
        (lambda m: m["files"][0].update(filename="../x.tar"), "files[0].filename"),
        (lambda m: m["files"][0]["sources"].append({"ftp": "x"}), "files[0].sources[2]"),
        (lambda m: m.update(root="/abs"), "root"),
        (lambda m: m.update(colour="blue"), "colour"),
        (lambda m: m["synthetic"].pop("generator"), "synthetic.generator"),
        (lambda m: m.update(files=[]), "files"),
    ],
)
def test_invalid_manifest_names_file_and_field(tmp_path, mutate, field):
    manifest = _good()
    mutate(manifest)
    path = tmp_path / "fsdd.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        parse_manifest_file(path)
    assert str(path) in str(info.value) and f"'{field}'" in str(info.value)


def test_name_must_match_file(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(_good()), encoding="utf-8")
    with pytest.raises(ManifestError, match="'name'"):
        parse_manifest_file(path)


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(ManifestError, match="fsdd"):
        load_manifest("no_such_dataset")
