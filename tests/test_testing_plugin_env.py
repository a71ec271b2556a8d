"""`google_cloud_env`: code that builds its Google clients from the environment, as a user's
application does, reaches the emulator under the pytest plugin."""

import uuid

from kfp import compiler, dsl


def count_python_questions() -> int:
    """A user's function: a client from the environment, no llmops in sight."""
    from google.cloud import bigquery

    client = bigquery.Client()
    rows = client.query(
        "SELECT COUNT(*) AS n FROM `bigquery-public-data.stackoverflow.posts_questions` "
        "WHERE REGEXP_CONTAINS(tags, 'python')"
    ).result()
    return next(iter(rows))["n"]


def archive(text: str) -> str:
    from google.cloud import storage

    client = storage.Client()
    bucket = client.bucket(f"archive-{uuid.uuid4().hex[:8]}")
    client.create_bucket(bucket)
    bucket.blob("note.txt").upload_from_string(text)
    return bucket.blob("note.txt").download_as_text()


def ask(question: str) -> str:
    from google import genai

    client = genai.Client(vertexai=True)
    return client.models.generate_content(model="gemini-2.5-flash", contents=question).text


def test_clients_built_from_the_environment_reach_the_emulator(google_cloud_env):
    assert count_python_questions() >= 500
    assert archive("hello") == "hello"
    assert "emulat" in ask("How can I load a csv file using Pandas?").lower()
    assert google_cloud_env.project == "llmops-test"


def test_query_results_read_through_the_emulators_read_api(google_cloud_env):
    """With google-cloud-bigquery-storage installed, `to_dataframe()` reads a query's result
    table through the Storage Read API, from the emulator rather than Google's host."""
    import httpx
    from google.cloud import bigquery

    status = f"{google_cloud_env.endpoint}/emulator/v1/bigquerystorage"
    before = httpx.get(status, timeout=30).json()["read"]["sessions"]
    frame = bigquery.Client().query("SELECT x FROM UNNEST(GENERATE_ARRAY(1, 3000)) AS x").result().to_dataframe()
    assert sorted(frame["x"]) == list(range(1, 3001))
    assert httpx.get(status, timeout=30).json()["read"]["sessions"] == before + 1


def test_vertexai_init_from_the_environment(google_cloud_env):
    import vertexai
    from vertexai.generative_models import GenerativeModel

    vertexai.init()  # project and location from the environment, as in user code
    assert GenerativeModel("gemini-2.5-flash").generate_content("hello").text


@dsl.component(base_image="python:3.11")
def shout(word: str) -> str:
    return word.upper()


@dsl.pipeline
def shout_pipeline(word: str) -> str:
    return shout(word=word).output


def test_pipeline_job_with_a_gs_root_submits_in_seconds(google_cloud_env, tmp_path):
    from google.cloud import aiplatform, storage

    bucket = f"root-{uuid.uuid4().hex[:8]}"
    storage.Client().create_bucket(bucket)  # an existing bucket: aiplatform checks its owner
    compiler.Compiler().compile(shout_pipeline, str(tmp_path / "p.yaml"))
    job = aiplatform.PipelineJob(
        display_name="shout",
        template_path=str(tmp_path / "p.yaml"),
        parameter_values={"word": "hi"},
        pipeline_root=f"gs://{bucket}/root",
        enable_caching=False,
    )
    job.submit()
    job.wait()
    assert job.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_SUCCEEDED
    # The bucket-owner check asked Resource Manager (a minute of gRPC retries offline) and got
    # the emulator's project number instead.
    from google.cloud.aiplatform.utils import resource_manager_utils

    assert resource_manager_utils.get_project_number(google_cloud_env.project) == "0"
