"""What callers say, per incident category: templates for the demo's call texts (pure, no Django).

The texts read like the summaries a 110 operator types (报警人称…). A template has slots:

    {who}   how the text opens, by channel: 报警人称 (110), 巡逻民警发现 (patrol), …
    {p}     the place as the caller says it: 南坪西路18号3栋
    {r}     a road of the station; {r2} another one (crossings)
    {o}     the other party of a dispute: 楼上邻居, 丈夫, 房东 …
    {n}     an amount of money: 3000, 2万
    [a|b]   one of the alternatives

A template without {who} gets it in front. A template whose first character is ``=`` is
said as it stands (an invalid call has no 报警人称).

Each text comes with its *gist*: the same template with the place, the money and the
opening made neutral. The words that decide triage live in the template and its
alternatives, never in the place or the amount, so a station's triage of the gist is
its triage of the text — and a year of calls needs only a few hundred triage runs.

The templates were written for the shipped lexicon (``fengqiao/intake/data/lexicon.json``)
and most are recognised by it; `VAGUE` ones and a few others are not, as in real life,
and the commander corrects them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass

# How a text opens, by the call's source.
OPENINGS: dict[str, tuple[str, ...]] = {
    "feed_110": ("报警人称", "报警人称", "报警人报称", "一男子报警称", "一女子报警称", "群众报警称"),
    "phone": ("报警人来电称", "群众来电反映", "一女子来电称"),
    "walk_in": ("报警人到所报称", "群众来所反映"),
    "chat_group": ("社区群里有居民反映", "网格员在社区群反映"),
    "patrol": ("巡逻民警发现", "巡逻时发现"),
    "video_patrol": ("视频巡查发现",),
}
NEUTRAL_OPENING = "报警人称"
NEUTRAL_PLACE = "某小区"
NEUTRAL_ROAD = "某路"
NEUTRAL_AMOUNT = "1000"

# Sources that see things rather than suffer them: only templates that describe a scene
# ("{p}门口有人在打架"), not a personal loss, fit them.
OBSERVING_SOURCES = frozenset({"patrol", "video_patrol"})

TEMPLATES: dict[str, tuple[str, ...]] = {
    "criminal.theft": (
        "{who}在{p}附近的[服装店|超市|药店]购物时，放在柜台上的[手机|钱包|挎包]被人拿走了",
        "{who}放在{p}楼下的[快递|电瓶|花盆]被人偷走了",
        "{who}在{r}工地存放的[钢筋|电缆|建材]被盗，损失约{n}元",
        "{p}的[超市|便利店]店员称抓到一名偷东西的男子，现扭送在店内",
    ),
    "criminal.pickpocketing": (
        "{who}在[轻轨|公交车上]人多拥挤时[钱包|手机]被扒",
        "{who}乘坐公交车到{r}站下车后发现包被划，里面的[钱包|手机]不见了",
        "{who}在{r}步行街被人掏了口袋，手机没了，扒手往{r2}方向跑了",
    ),
    "criminal.burglary": (
        "{who}回家发现家里进贼了，门锁被撬，屋里翻得乱七八糟",
        "{who}早上开门发现{p}的店铺卷帘门被撬，收银台现金约{n}元被盗",
        "{who}出差回来发现家中被盗，[首饰|现金|笔记本电脑]不见了，窗户被撬开",
    ),
    "criminal.theft_from_vehicle": (
        "{who}停在{p}楼下的车窗被砸，车内的[包|现金|香烟]被盗",
        "{who}早上发现停在{r}路边的车门被撬，车内财物被盗",
    ),
    "criminal.vehicle_theft": (
        "{who}停在{p}楼下的[电动车|摩托车|自行车]被盗",
        "{who}昨晚停在{p}门口的[电动车|电瓶车]今天早上不见了",
        "{who}停在{r}路边的小轿车被盗，确认不是被拖车拖走",
    ),
    "criminal.fraud": (
        "{who}被人以[买保健品治病|介绍工作|办理低保]为由骗走{n}元",
        "{who}遇到有人冒充[老同事|亲戚]借钱，当面给了对方{n}元后对方失联",
    ),
    "criminal.telecom_fraud": (
        "{who}接到冒充客服的电话，称订单异常需要退款，按对方要求操作后被骗{n}元",
        "{who}在网上投资理财平台被骗{n}元，现在平台无法提现",
        "{who}微信上认识的网友以投资为名骗其转账{n}元",
        "{who}接到自称公安的电话，称其涉嫌洗钱，要求把钱转到安全账户，已转账{n}元",
        "{who}在网上刷单被骗{n}元，对方已把其拉黑",
    ),
    "criminal.robbery": (
        "{who}在{r}被两名男子持刀抢走[手机|钱包]，对方往{r2}方向跑了",
        "{who}走在{p}附近时[项链|挎包]被骑电动车的男子抢走",
    ),
    "criminal.assault": (
        "{who}在{p}被人用[铁棍|砖头]打伤头部，流血不止",
        "{p}有一男子持刀砍伤他人，伤者受伤倒地",
        "{who}在{p}附近的[烧烤摊|火锅店]被人捅伤，现在医院治疗",
    ),
    "criminal.threat": (
        "{who}有人打电话威胁恐吓，扬言要弄死他",
        "{who}前员工在网上扬言要报复，要炸掉店铺",
    ),
    "criminal.sexual": (
        "{who}在公交车上被一男子摸屁股猥亵",
        "{who}在{p}附近有男子对路过女性露阴",
    ),
    "criminal.drugs": (
        "{who}怀疑{p}有人吸毒，经常看到有人拿锡纸",
        "{who}{p}出租屋内有人溜冰吸毒",
    ),
    "public_order.fight": (
        "{p}门口有[几个人|两伙人]在打架，场面混乱",
        "{who}在{p}附近的[烧烤摊|KTV|网吧]被人打了几拳，对方还在现场",
        "{p}有两名男子因停车问题扭打在一起",
    ),
    "public_order.drunk": (
        "{p}有一醉汉在发酒疯，砸门骂人",
        "{p}附近的餐馆里有人喝醉了闹事，大喊大叫",
    ),
    "public_order.gambling": (
        "{who}{p}有人聚众赌博，每天晚上都有很多人",
        "{who}{p}的[茶馆|麻将馆]有人打牌赌钱，输赢很大",
    ),
    "public_order.prostitution": (
        "{who}{p}附近的[足浴店|按摩店]有卖淫嫖娼活动",
        "{p}门口有人散发招嫖小卡片",
    ),
    "public_order.disturbance": (
        "{p}有一男子无故辱骂路人，大吵大闹",
        "{p}的[银行|营业厅|诊所]内有人闹事，扰乱秩序",
    ),
    "public_order.property_damage": (
        "{who}停在{p}楼下的车被人用钥匙划了，车身全是划痕",
        "{who}其店铺的玻璃门被人故意砸坏了",
        "{who}停在{r}的车轮胎被人扎破了",
    ),
    "public_order.domestic_violence": (
        "{who}被丈夫打了，[脸上有伤|手臂有淤青]，要求民警到场",
        "{who}隔壁男人又在打老婆，一直听到哭喊声",
    ),
    "public_order.harassment": (
        "{who}有人一直打电话发短信骚扰她",
        "{who}被一男子跟踪尾随，从{r}一直跟到{p}楼下",
        "{who}网贷公司暴力催收，给其家人朋友打电话骚扰",
    ),
    "traffic.collision": (
        "{r}与{r2}路口两车追尾，无人受伤，请求处理",
        "{who}在{p}门口倒车时与一辆电动车剐蹭，双方对责任有争议",
        "{r}有两车相撞，[有人受伤|一人倒地受伤]",
        "{r}一辆出租车与私家车发生剐蹭，堵在路中间",
    ),
    "traffic.drunk_driving": (
        "{r}有一辆车开得歪歪扭扭，司机疑似酒后驾驶",
        "{who}有人喝了酒开车，车刚从{p}开出去",
    ),
    "traffic.hit_and_run": (
        "{who}在{r}被一辆车撞了，肇事车辆逃逸",
        "{who}停在{p}路边的车被撞坏，肇事车撞了就跑",
    ),
    "traffic.obstruction": (
        "{r}有一辆货车抛锚，堵塞车道，影响车辆通行",
        "{r}有大树倒在马路上，影响通行",
        "{r}路面散落大量[石子|货物]，影响车辆通行",
    ),
    "fire.fire": (
        "{p}[厨房|楼道|门面]着火了，冒出浓烟",
        "{p}有[垃圾桶|电动车]起火",
        "{p}楼道里的电动车在充电时起火，有浓烟",
    ),
    "fire.gas_leak": (
        "{p}楼道里有很浓的煤气味，怀疑燃气泄漏",
        "{p}的[餐馆|住户]家中天然气漏气",
    ),
    "fire.flood": (
        "下大雨后{p}[车库|门面]被淹，积水很深",
        "{r}路面积水严重，[低洼处车辆被淹|门面进水]",
    ),
    "fire.collapse": (
        "{p}一处老房子墙体垮塌，请求到场查看",
        "{r}旁边的边坡[发生滑坡|有落石]，石头滚到路上",
    ),
    "fire.trapped": (
        "{p}电梯困人，里面有[两个人|一个老人|一个小孩]",
        "{who}被困在{p}的电梯里出不来",
    ),
    "dispute.neighbour": (
        "{who}与[楼上|楼下|隔壁]邻居因[噪音|漏水|楼道堆放杂物|空调外机滴水]问题发生争吵，请求民警调解",
        "{p}两户邻居因[公共区域使用|装修]问题发生纠纷",
    ),
    "dispute.family": (
        "{who}与[丈夫|妻子|婆婆|儿子]因家庭琐事发生争吵，请求民警到场",
        "{who}兄弟几个因[赡养老人|房产分配|遗产]问题发生矛盾，吵得很厉害",
    ),
    "dispute.romance": (
        "{who}与[男朋友|女朋友]因分手问题发生争吵，对方不愿离开",
        "{who}与前男友因彩礼问题发生争执",
    ),
    "dispute.debt": (
        "{who}对方借钱不还，欠款{n}元，上门讨要发生争吵",
        "{who}到{p}讨债，与欠款人发生争执",
    ),
    "dispute.labour": (
        "{who}老板拖欠工资{n}元一直不给",
        "{p}有[几名|十几名]工人讨薪，与包工头发生争执",
    ),
    "dispute.property": (
        "{who}与房东因退租押金问题发生纠纷",
        "{who}与物业因[停车费|物业费]问题发生争执",
        "{who}房东换了门锁，不让其进屋拿东西",
    ),
    "dispute.consumer": (
        "{who}在{p}的[美容院|健身房]办卡后商家跑路，要求退钱",
        "{who}在{p}的饭店吃饭发现菜里有虫子，与商家协商赔偿不成",
        "{who}与{p}的商家因商品质量问题退货发生争执",
    ),
    "dispute.other": (
        "{who}与人因停车位问题发生争执",
        "{who}与同事因工作琐事发生口角",
    ),
    "assistance.missing_person": (
        "{who}家中[患有老年痴呆的|八十多岁的]老人早上出门后一直没回家，穿着[灰色|蓝色]外套",
        "{who}其[丈夫|女儿]一夜未归，电话关机，联系不上",
    ),
    "assistance.lost_child": (
        "{who}在{p}附近的[超市|公园|商场]与孩子走散了",
        "{p}有个小男孩在哭，找不到家长",
    ),
    "assistance.lost_property": (
        "{who}其[身份证|钱包|手机]在{r}附近遗失，请求开证明",
        "{who}在出租车上丢失了[手机|包]，请求帮助查找",
        "{who}在{p}捡到一个钱包，想交给民警",
    ),
    "assistance.locked_out": (
        "{who}忘带钥匙被锁在门外，请求帮忙开锁",
        "{who}家门打不开了，[孩子|老人]被反锁在屋里",
    ),
    "assistance.person_in_need": (
        "{p}楼下有一老人摔倒了，起不来",
        "{who}独居的[母亲|父亲]电话一直无人应答，担心出事，请求民警上门查看",
        "{r}路边有一名男子晕倒在地，[神志不清|口吐白沫]",
    ),
    "assistance.suicide": (
        "{who}其[朋友|女儿]发消息说不想活了，现在联系不上",
        "{p}楼顶天台有一名女子情绪激动，要跳楼",
    ),
    "assistance.other": (
        "{who}手机没电了，请求帮忙联系家人",
        "{who}其车陷在泥地里，请求帮助",
    ),
    "non_police.noise": (
        "{p}[楼上|隔壁]深夜还在[唱歌|放音乐|划拳]，噪音扰民，影响休息",
        "{p}附近的广场舞音响声音太大，影响休息",
        "{p}附近的工地[半夜|凌晨]还在施工，噪音很大",
    ),
    "non_police.leak": (
        "{p}楼上漏水，天花板一直在滴水",
        "{r}有自来水主水管爆管，水漫到路上",
    ),
    "non_police.smell": (
        "{p}附近有刺鼻的异味，像是在烧塑料",
        "{p}楼下的餐馆油烟很大，熏得家里都是味道",
    ),
    "non_police.parking": (
        "{p}消防通道被[私家车|面包车]堵住了，联系不上车主",
        "{p}车库门口有车违停，挡住出口，请求帮忙挪车",
        "{r}路边乱停乱放严重，行人没法走",
    ),
    "non_police.utilities": (
        "{p}从早上开始停水，一直没有通知",
        "{r}的路灯不亮了，晚上很黑",
        "{r}有井盖[松动|缺失]，很危险",
    ),
    "non_police.market": (
        "{r}有小贩摆摊占道经营，堵住了人行道",
        "{p}的菜市场有商贩缺斤少两",
        "{p}门口有人出店经营，[摊位|货架]摆到了路上",
    ),
    "non_police.animal": (
        "{p}附近有流浪狗追咬路人",
        "{p}窗外有个马蜂窝，很危险",
        "{p}有人遛狗不拴绳，狗乱叫",
    ),
    "non_police.construction": (
        "{p}楼顶有人违章搭建彩钢房",
        "{p}有住户私自拆墙，担心是承重墙",
    ),
    "non_police.sanitation": (
        "{p}的垃圾好几天没人清运，臭气熏天",
        "{r}有人乱倒建筑垃圾",
    ),
    "tipoff.clue": (
        "{who}{p}有一个传销窝点",
        "{who}在{p}附近看到一名很像通缉逃犯的男子",
        "{who}{r}有黑车非法营运",
    ),
    "tipoff.suspicious": (
        "{p}有一陌生男子形迹可疑，在小区里挨家挨户看门牌",
        "{r}公交站有一个无人看管的行李箱，放了很久",
    ),
    "other.consultation": (
        "{who}咨询身份证补办需要带什么材料",
        "{who}询问居住证怎么办理",
        "{who}咨询派出所上班时间",
    ),
    "other.invalid": (
        "=报警人拨通110后无人说话，回拨无人接听",
        "=报警人称拨错了，不需要报警",
        "=小孩玩手机误拨110",
    ),
    "other.other": (
        "{who}要求查询老同学的联系方式",
        "{who}有事想找社区民警，要求回电",
    ),
}

# Calls that say too little for the lexicon; the commander decides.
VAGUE: tuple[str, ...] = (
    "{who}{p}有情况，要求民警过来看一下",
    "{who}有事需要民警到场处理，电话中未说明具体情况",
    "{who}在{p}遇到麻烦，说不清楚，请民警尽快过来",
)

# Calls whose words point elsewhere than what the commander decides it is.
MISLEADING: dict[str, tuple[str, ...]] = {
    "dispute.neighbour": ("{who}楼上每天半夜噪音很大，上去理论对方不开门",),
    "public_order.fight": ("{p}烧烤摊有人吵起来了，好像动手了",),
    "assistance.person_in_need": ("{p}有个老人在路边坐了很久，问什么都说不清楚",),
    "criminal.theft": ("{who}在{p}的手机不见了，怀疑是被人顺手拿了",),
    "non_police.parking": ("{who}其车被人堵在车位里出不去，打电话对方不接",),
    "tipoff.suspicious": ("{p}楼下有辆车停了好几天没动，车里好像有人",),
    "non_police.noise": ("{who}隔壁每天晚上吵架摔东西，影响休息",),
    "traffic.collision": ("{who}在{r}骑电动车被一辆小车带倒，膝盖擦伤",),
    "assistance.lost_property": ("{who}其手机在公交车上不见了，不确定是掉了还是被偷了",),
    "criminal.telecom_fraud": ("{who}想咨询一下，网上买东西付了钱对方不发货也不回消息",),
}

# Dispute chains (矛盾纠纷): the same parties calling again, and what it may turn into.
DISPUTE_PARTIES: dict[str, tuple[str, ...]] = {
    "dispute.neighbour": ("楼上邻居", "楼下邻居", "隔壁邻居", "对门邻居"),
    "dispute.family": ("丈夫", "丈夫", "妻子", "儿子", "婆婆"),
    "dispute.romance": ("前男友", "前女友", "男朋友"),
    "dispute.debt": ("欠款人", "债主"),
    "dispute.property": ("房东", "租客", "物业"),
    "dispute.labour": ("包工头", "老板"),
}

CHAIN_FIRST: dict[str, tuple[str, ...]] = {
    "dispute.neighbour": ("{who}与{o}因[噪音|漏水|楼道堆放杂物|空调外机滴水]问题发生争吵，请求民警调解",),
    "dispute.family": ("{who}与{o}因家庭琐事发生争吵，请求民警到场",),
    "dispute.romance": ("{who}与{o}因分手问题发生争吵，对方不愿离开",),
    "dispute.debt": ("{who}与{o}因欠款{n}元的问题发生争吵",),
    "dispute.property": ("{who}与{o}因[退租押金|房租|物业费]问题发生纠纷",),
    "dispute.labour": ("{who}{o}拖欠工资{n}元一直不给，双方发生争执",),
}

CHAIN_REPEAT: dict[str, tuple[str, ...]] = {
    "dispute.neighbour": (
        "{who}与{o}又因[噪音|漏水|楼道堆放杂物]问题发生争吵，此前已多次报警调解，矛盾一直没有解决",
        "{who}{o}再次上门理论，双方争吵不休",
    ),
    "dispute.family": ("{who}与{o}再次因家庭琐事发生争吵，这已经是本月第[二|三]次报警",),
    "dispute.romance": ("{who}与{o}因分手问题又发生争执，对方反复纠缠",),
    "dispute.debt": ("{who}与{o}因欠款问题再次发生争吵，对方仍然拖着不给",),
    "dispute.property": ("{who}与{o}因押金和房租问题再次发生纠纷",),
    "dispute.labour": ("{who}其与工友再次讨要拖欠的工资，{o}仍然不给，双方发生争执",),
}

# (dispute kind, what it became) → how the call that shows it sounds.
CHAIN_ESCALATION: dict[tuple[str, str], tuple[str, ...]] = {
    ("dispute.neighbour", "public_order.fight"): ("{who}与{o}因琐事再次发生争执后动手打了起来，双方互殴",),
    ("dispute.neighbour", "criminal.assault"): ("{who}被{o}用[棍子|砖头]打伤，头部受伤流血",),
    ("dispute.family", "public_order.domestic_violence"): (
        "{who}又被{o}打了，[脸上有伤|手臂有淤青]，此前已多次报警",
    ),
    ("dispute.family", "criminal.assault"): ("{who}被{o}打伤手臂流血，双方此前多次因家庭琐事报警",),
    ("dispute.romance", "public_order.harassment"): ("{who}分手后{o}一直跟踪骚扰，每天在楼下蹲守",),
    ("dispute.romance", "criminal.threat"): ("{who}{o}扬言要报复，威胁要弄死她",),
    ("dispute.debt", "criminal.threat"): ("{who}因欠款问题被对方威胁恐吓，对方扬言要他好看",),
    ("dispute.property", "public_order.fight"): ("{who}与{o}发生斗殴，对方几个人把他打了一顿",),
    ("dispute.labour", "dispute.labour"): ("{p}有[二十多名|几十名]工人聚集讨薪，围堵大门，情绪激动",),
}

# Sensor alarms (the kinds of the shipped sensor table), as the device reports them.
SENSOR_TEXTS: dict[str, str] = {
    "smoke": "烟感报警：{p}烟感探测器报警",
    "water_pressure": "消防水压异常：{p}消防管网水压低于下限",
    "manhole_cover": "井盖位移：{r}井盖监测终端报警",
    "electrical_arc": "电气电弧报警：{p}配电箱检测到故障电弧",
}

# Chongqing speech, as callers say it (the lexicon's variants table reads it back).
DIALECT: tuple[tuple[str, str], ...] = (
    ("被人", "遭人"),
    ("家里", "屋头"),
    ("打架", "打锤"),
    ("孩子", "娃儿"),
    ("没有", "没得"),
    ("父亲", "老汉儿"),
    ("小偷", "贼娃子"),
    ("电动车", "电驴"),
)

_ALTERNATIVES = re.compile(r"\[([^\[\]]+)\]")


@dataclass(frozen=True)
class Said:
    """A call text and its gist (the same words, with the place and money made neutral)."""

    text: str
    gist: str


@dataclass(frozen=True)
class Slots:
    """The values of a template's slots for one call."""

    opening: str
    place: str
    road: str
    other_road: str
    party: str
    amount: str


def observational(template: str) -> bool:
    """Whether a template describes a scene (fits a patrol's report) rather than a loss."""
    return not template.startswith("{who}") and not template.startswith("=")


def templates_for(category: str, *, observing: bool = False) -> tuple[str, ...]:
    """The templates of `category`; for patrols only the ones that describe a scene."""
    found = TEMPLATES.get(category, TEMPLATES["other.other"])
    if observing:
        return tuple(template for template in found if observational(template))
    return found


def say(template: str, slots: Slots, rng: random.Random) -> Said:
    """Fill `template`: pick the alternatives with `rng`, then put the slots in."""
    literals, alternatives = _parsed(template)
    parts = [literals[0]]
    for choices, literal in zip(alternatives, literals[1:], strict=True):
        parts.append(choices[int(rng.random() * len(choices))])
        parts.append(literal)
    chosen = "".join(parts)
    opening = _fitting_opening(slots.opening, chosen.replace("{o}", slots.party))
    if opening != slots.opening:
        slots = Slots(opening, slots.place, slots.road, slots.other_road, slots.party, slots.amount)
    text = _fill(chosen, slots)
    gist = _fill(chosen, Slots(NEUTRAL_OPENING, NEUTRAL_PLACE, NEUTRAL_ROAD, NEUTRAL_ROAD, slots.party, NEUTRAL_AMOUNT))
    return Said(text=text, gist=gist)


_PARSED: dict[str, tuple[list[str], list[list[str]]]] = {}


def _parsed(template: str) -> tuple[list[str], list[list[str]]]:
    """The literal pieces of a template and the alternatives between them (parsed once)."""
    found = _PARSED.get(template)
    if found is None:
        said = template
        if said.startswith("="):
            said = said[1:]
        elif "{who}" not in said:
            said = "{who}" + said
        pieces = _ALTERNATIVES.split(said)
        found = (pieces[0::2], [piece.split("|") for piece in pieces[1::2]])
        _PARSED[template] = found
    return found


# A man does not report his husband: words that tell who is speaking.
_SAID_BY_A_WOMAN = ("丈夫", "前男友", "男朋友", "她")
_SAID_BY_A_MAN = ("妻子", "前女友", "女朋友")


def _fitting_opening(opening: str, said: str) -> str:
    if "男子" in opening and any(word in said for word in _SAID_BY_A_WOMAN):
        return opening.replace("男子", "女子")
    if "女子" in opening and any(word in said for word in _SAID_BY_A_MAN):
        return opening.replace("女子", "男子")
    return opening


def _fill(template: str, slots: Slots) -> str:
    values: Mapping[str, str] = {
        "who": slots.opening, "p": slots.place, "r": slots.road, "r2": slots.other_road,
        "o": slots.party, "n": slots.amount,
    }
    return template.format_map(values)


def in_dialect(said: Said, rng: random.Random, share: float = 0.5) -> Said:
    """Say it the Chongqing way: each dialect word replaces its standard form with
    probability `share` (in text and gist alike)."""
    text, gist = said.text, said.gist
    for standard, local in DIALECT:
        if standard in text and rng.random() < share:
            text = text.replace(standard, local)
            gist = gist.replace(standard, local)
    return Said(text=text, gist=gist)


def amount_for(category: str, rng: random.Random) -> str:
    """A believable sum of money for the category, written as people say it."""
    low, high = _AMOUNTS.get(category, (200, 5000))
    value = rng.randint(low, high)
    if value >= 10_000:
        return f"{round(value / 10_000, 1):g}万" if rng.random() < 0.6 else f"{round(value, -3)}"
    if value >= 1000:
        return str(round(value, -2))
    return str(round(value, -1))


_AMOUNTS: dict[str, tuple[int, int]] = {
    "criminal.theft": (300, 8000),
    "criminal.burglary": (500, 30_000),
    "criminal.fraud": (1000, 50_000),
    "criminal.telecom_fraud": (2000, 300_000),
    "dispute.debt": (2000, 100_000),
    "dispute.labour": (3000, 60_000),
}
