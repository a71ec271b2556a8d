# ruff: noqa  (the course's code as written)
# The course's L4 notebook (predictions, prompts and safety), cell by cell; only the
# authenticate import differs.
from llmops.offline import offline_authenticate as authenticate  # was: from utils import authenticate

credentials, PROJECT_ID = authenticate()

REGION = "us-central1"

import vertexai

vertexai.init(project=PROJECT_ID, location=REGION, credentials=credentials)

from vertexai.language_models import TextGenerationModel

model = TextGenerationModel.from_pretrained("text-bison@001")

import datetime


list_tuned_models = model.list_tuned_model_names()

for i in list_tuned_models:
    print(i)

import random

tuned_model_select = random.choice(list_tuned_models)

deployed_model = TextGenerationModel.get_tuned_model(tuned_model_select)

PROMPT = "How can I load a csv file using Pandas?"

### depending on the latency of your prompt
### it can take some time to load
response = deployed_model.predict(PROMPT)

print(response)

from pprint import pprint

### load the first object of the response
output = response._prediction_response[0]

### print the first object of the response
pprint(output)

### load the second object of the response
output = response._prediction_response[0][0]["content"]

### print the second object of the response
print(output)

blocked = response._prediction_response[0][0]["safetyAttributes"]["blocked"]

print(blocked)

safety_attributes = response._prediction_response[0][0]["safetyAttributes"]

pprint(safety_attributes)

citation = response._prediction_response[0][0]["citationMetadata"]["citations"]

pprint(citation)
