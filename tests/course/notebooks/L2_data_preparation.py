# ruff: noqa  (the course's code as written)
# The course's L2 notebook (data preparation), cell by cell; only the authenticate import differs.
from llmops.offline import offline_authenticate as authenticate  # was: from utils import authenticate

credentials, PROJECT_ID = authenticate()
REGION = "us-central1"

import vertexai

vertexai.init(project=PROJECT_ID, location=REGION, credentials=credentials)

from google.cloud import bigquery

bq_client = bigquery.Client(project=PROJECT_ID, credentials=credentials)

QUERY_TABLES = """
SELECT
  table_name
FROM
  `bigquery-public-data.stackoverflow.INFORMATION_SCHEMA.TABLES`
"""
query_job = bq_client.query(QUERY_TABLES)
for row in query_job:
    for value in row.values():
        print(value)

INSPECT_QUERY = """
SELECT
    *
FROM
    `bigquery-public-data.stackoverflow.posts_questions`
LIMIT 3
"""
query_job = bq_client.query(INSPECT_QUERY)
stack_overflow_df = query_job.result().to_arrow().to_pandas()
stack_overflow_df.head()

QUERY_ALL = """
SELECT
    *
FROM
    `bigquery-public-data.stackoverflow.posts_questions` q
"""
query_job = bq_client.query(QUERY_ALL)
try:
    stack_overflow_df = query_job.result().to_arrow().to_pandas()
except Exception as e:
    print("The DataFrame is too large to load into memory.", e)

QUERY = """
SELECT
    CONCAT(q.title, q.body) as input_text,
    a.body AS output_text
FROM
    `bigquery-public-data.stackoverflow.posts_questions` q
JOIN
    `bigquery-public-data.stackoverflow.posts_answers` a
ON
    q.accepted_answer_id = a.id
WHERE
    q.accepted_answer_id IS NOT NULL AND
    REGEXP_CONTAINS(q.tags, "python") AND
    a.creation_date >= "2020-01-01"
LIMIT
    10000
"""
query_job = bq_client.query(QUERY)
### this may take some seconds to run
stack_overflow_df = query_job.result().to_arrow().to_pandas()
stack_overflow_df.head(2)

INSTRUCTION_TEMPLATE = f"""\
Please answer the following Stackoverflow question on Python. \
Answer it like you are a developer answering Stackoverflow questions.

Stackoverflow question:
"""
stack_overflow_df["input_text_instruct"] = INSTRUCTION_TEMPLATE + " " + stack_overflow_df["input_text"]

from sklearn.model_selection import train_test_split

train, evaluation = train_test_split(
    stack_overflow_df,
    ### test_size=0.2 means 20% for evaluation
    ### which then makes train set to be of 80%
    test_size=0.2,
    random_state=42,
)

import datetime

date = datetime.datetime.now().strftime("%H:%d:%m:%Y")
cols = ["input_text_instruct", "output_text"]
tune_jsonl = train[cols].to_json(orient="records", lines=True)
training_data_filename = f"tune_data_stack_overflow_python_qa-{date}.jsonl"
with open(training_data_filename, "w") as f:
    f.write(tune_jsonl)
